//! `ssh://[user@]host[:port]` Docker hosts, reached as the docker CLI reaches them: the
//! system's `ssh` runs `docker system dial-stdio` on the remote host, and its stdin and
//! stdout carry one HTTP connection. Each connection is an ssh of its own (the docker
//! CLI without multiplexing), so whatever ssh's own configuration says (keys, agents,
//! jump hosts, known hosts) applies unchanged.
//!
//! ssh's stderr is kept (its last few KiB) and put into the error when ssh exits
//! before the daemon answered: that is where "Connection refused" or "Permission
//! denied" is said. A connection's ssh is killed and reaped when the connection goes,
//! and dies with berth (`PR_SET_PDEATHSIG`), so none is left behind.

use std::io;
use std::pin::Pin;
use std::process::ExitStatus;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use tokio::process::{ChildStdin, ChildStdout, Command};
use tokio::sync::{oneshot, watch};

/// What the docker CLI runs on the remote host.
const REMOTE_COMMAND: [&str; 3] = ["docker", "system", "dial-stdio"];
/// How much of ssh's stderr is kept for a message (the docker CLI keeps 4 KiB).
const STDERR_KEPT: usize = 4096;
/// How long a failed request waits for its ssh to exit, to say why it failed.
const EXIT_WAIT: Duration = Duration::from_secs(10);
/// How long, after ssh exited, its stderr may take to reach its end.
const STDERR_WAIT: Duration = Duration::from_secs(1);

/// An ssh URL's parts, checked as the docker CLI (20.10) checks them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshSpec {
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
}

impl SshSpec {
    /// Parse `ssh://[user@]host[:port]`; anything after the host (a path, a query, a
    /// fragment) and a password are refused by name.
    pub fn parse(url: &str) -> Result<SshSpec, String> {
        let invalid = |why: String| format!("ssh host connection is not valid: {why}");
        let rest = url
            .strip_prefix("ssh://")
            .ok_or_else(|| invalid(format!("expected scheme ssh in {url:?}")))?;
        // The authority ends where a path, query or fragment starts, as in a URL.
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, after) = rest.split_at(end);
        if let Some(fragment) = after.split_once('#').map(|(_, f)| f) {
            if !fragment.is_empty() {
                return Err(invalid(format!(
                    "extra fragment after the host: {fragment:?}"
                )));
            }
        }
        let after = after.split('#').next().unwrap_or_default();
        let (path, query) = after.split_once('?').unwrap_or((after, ""));
        if !path.is_empty() {
            return Err(invalid(format!("extra path after the host: {path:?}")));
        }
        if !query.is_empty() {
            return Err(invalid(format!("extra query after the host: {query:?}")));
        }
        let (user, hostport) = match authority.rsplit_once('@') {
            Some((userinfo, hp)) => {
                if userinfo.contains(':') {
                    return Err(invalid("plain-text password is not supported".into()));
                }
                (Some(userinfo.to_string()).filter(|u| !u.is_empty()), hp)
            }
            None => (None, authority),
        };
        let (host, port) = split_port(hostport).map_err(invalid)?;
        if host.is_empty() {
            return Err(invalid("no host specified".into()));
        }
        Ok(SshSpec {
            user,
            host: host.to_string(),
            port,
        })
    }

    /// ssh's arguments, the docker CLI's: a connect timeout, no pseudo-terminal (so
    /// no login shell), the user and port when given, then `--` so a host can never
    /// be read as an option.
    pub fn args(&self) -> Vec<String> {
        let mut args: Vec<String> = vec!["-o".into(), "ConnectTimeout=30".into(), "-T".into()];
        if let Some(user) = &self.user {
            args.extend(["-l".into(), user.clone()]);
        }
        if let Some(port) = self.port {
            args.extend(["-p".into(), port.to_string()]);
        }
        args.extend(["--".into(), self.host.clone()]);
        args.extend(REMOTE_COMMAND.map(String::from));
        args
    }
}

/// `host[:port]`, an IPv6 literal in brackets.
fn split_port(hostport: &str) -> Result<(&str, Option<u16>), String> {
    let (host, port) = if let Some(inner) = hostport.strip_prefix('[') {
        let (h, tail) = inner
            .split_once(']')
            .ok_or_else(|| format!("missing ']' in host {hostport:?}"))?;
        match tail {
            "" => (h, None),
            t => match t.strip_prefix(':') {
                Some(p) => (h, Some(p)),
                None => return Err(format!("invalid host {hostport:?}")),
            },
        }
    } else {
        match hostport.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    match port {
        None | Some("") => Ok((host, None)),
        Some(p) => p
            .parse::<u16>()
            .map(|n| (host, Some(n)))
            .map_err(|_| format!("invalid port {p:?} after host")),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SshError {
    #[error("cannot run ssh: {0}")]
    Spawn(io::Error),
    #[error("command [ssh {args}] has exited with {status}, make sure the URL is valid and Docker 18.09 or later is installed on the remote host: stderr={stderr}")]
    Exited {
        args: String,
        status: ExitStatus,
        stderr: String,
    },
}

/// One running ssh: its stdout and stdin are the connection's two directions.
pub struct SshConn {
    stdout: ChildStdout,
    stdin: Option<ChildStdin>,
    /// Dropped with the connection: the reaper then kills ssh and waits for it.
    _kill: oneshot::Sender<()>,
}

/// What a request keeps of its ssh to explain a failure.
pub struct SshWatch {
    args: String,
    stderr: Arc<Mutex<Vec<u8>>>,
    /// Fires when ssh's stderr is at its end (everything it said is kept).
    stderr_read: oneshot::Receiver<()>,
    exited: watch::Receiver<Option<ExitStatus>>,
}

/// Start ssh for one connection. Must run inside a tokio runtime: the child's stderr
/// and its exit are watched by tasks of their own.
pub fn connect(spec: &SshSpec) -> Result<(SshConn, SshWatch), SshError> {
    let args = spec.args();
    let mut cmd = Command::new("ssh");
    cmd.args(&args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    // SAFETY: between fork and exec only async-signal-safe calls: setsid(2) so the
    // terminal's ^C goes to berth, which then ends the connection itself (the docker
    // CLI's session), and prctl(2) so ssh dies with berth even if berth is killed.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().map_err(SshError::Spawn)?;
    let (Some(stdin), Some(stdout), Some(mut err_pipe)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(SshError::Spawn(io::Error::other("ssh's pipes are missing")));
    };
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let kept = stderr.clone();
    let (stderr_done, stderr_read) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let mut buf = [0u8; 1024];
        while let Ok(n) = err_pipe.read(&mut buf).await {
            if n == 0 {
                break;
            }
            if let Ok(mut k) = kept.lock() {
                k.extend_from_slice(&buf[..n]);
                let excess = k.len().saturating_sub(STDERR_KEPT);
                k.drain(..excess);
            }
        }
        let _ = stderr_done.send(());
    });
    let (kill, killed) = oneshot::channel::<()>();
    let (exit_tx, exited) = watch::channel(None);
    tokio::spawn(async move {
        let status = tokio::select! {
            s = child.wait() => s,
            // The connection is gone (or the request was dropped): end its ssh.
            _ = killed => {
                let _ = child.start_kill();
                child.wait().await
            }
        };
        if let Ok(s) = status {
            let _ = exit_tx.send(Some(s));
        }
    });
    Ok((
        SshConn {
            stdout,
            stdin: Some(stdin),
            _kill: kill,
        },
        SshWatch {
            args: args.join(" "),
            stderr,
            stderr_read,
            exited,
        },
    ))
}

impl SshWatch {
    /// Why a request over this ssh failed: ssh's exit and stderr when it exits (it
    /// usually has: nothing listening, a refused key), else None and the HTTP error
    /// stands.
    pub async fn exit(mut self) -> Option<SshError> {
        // Copied out at once: the watch's guard must not live across an await.
        let status =
            match tokio::time::timeout(EXIT_WAIT, self.exited.wait_for(Option::is_some)).await {
                Ok(Ok(s)) => *s,
                _ => None,
            }?;
        // ssh's last line may still be in the pipe: wait for its end, which follows
        // the exit unless something ssh started (a ProxyCommand) still holds it.
        let _ = tokio::time::timeout(STDERR_WAIT, self.stderr_read).await;
        let stderr = self
            .stderr
            .lock()
            .map(|k| String::from_utf8_lossy(&k).trim().to_string())
            .unwrap_or_default();
        Some(SshError::Exited {
            args: self.args,
            status,
            stderr,
        })
    }
}

impl AsyncRead for SshConn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stdout).poll_read(cx, buf)
    }
}

impl AsyncWrite for SshConn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.stdin.as_mut() {
            Some(s) => Pin::new(s).poll_write(cx, buf),
            None => Poll::Ready(Err(io::ErrorKind::BrokenPipe.into())),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.stdin.as_mut() {
            Some(s) => Pin::new(s).poll_flush(cx),
            None => Poll::Ready(Ok(())),
        }
    }

    /// A half-close (the end of an attach's stdin) closes ssh's stdin, which the
    /// remote dial-stdio passes on as the daemon connection's write side closing.
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(s) = self.stdin.as_mut() {
            if Pin::new(s).poll_flush(cx).is_pending() {
                return Poll::Pending;
            }
        }
        self.stdin = None;
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(user: Option<&str>, host: &str, port: Option<u16>) -> SshSpec {
        SshSpec {
            user: user.map(String::from),
            host: host.into(),
            port,
        }
    }

    #[test]
    fn urls_as_the_docker_cli_reads_them() {
        assert_eq!(SshSpec::parse("ssh://far"), Ok(spec(None, "far", None)));
        assert_eq!(
            SshSpec::parse("ssh://me@far:2222"),
            Ok(spec(Some("me"), "far", Some(2222)))
        );
        assert_eq!(
            SshSpec::parse("ssh://root@[::1]:22"),
            Ok(spec(Some("root"), "::1", Some(22)))
        );
        for (url, why) in [
            (
                "ssh://me:secret@far",
                "plain-text password is not supported",
            ),
            (
                "ssh://far/run/docker.sock",
                "extra path after the host: \"/run/docker.sock\"",
            ),
            ("ssh://far/", "extra path after the host: \"/\""),
            ("ssh://far?x=1", "extra query after the host: \"x=1\""),
            ("ssh://far#top", "extra fragment after the host: \"top\""),
            ("ssh://", "no host specified"),
            ("ssh://me@", "no host specified"),
            ("ssh://far:port", "invalid port"),
        ] {
            let e = SshSpec::parse(url).unwrap_err();
            assert!(
                e.starts_with("ssh host connection is not valid: ") && e.contains(why),
                "{url}: {e}"
            );
        }
    }

    #[test]
    fn the_docker_clis_ssh_arguments() {
        assert_eq!(
            spec(Some("root"), "127.0.0.1", Some(2222)).args(),
            [
                "-o",
                "ConnectTimeout=30",
                "-T",
                "-l",
                "root",
                "-p",
                "2222",
                "--",
                "127.0.0.1",
                "docker",
                "system",
                "dial-stdio"
            ]
        );
        assert_eq!(
            spec(None, "far", None).args(),
            [
                "-o",
                "ConnectTimeout=30",
                "-T",
                "--",
                "far",
                "docker",
                "system",
                "dial-stdio"
            ]
        );
    }
}
