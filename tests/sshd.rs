//! A private sshd (Debian's `openssh-server`) on 127.0.0.1 for `ssh://` tests: its own
//! config, host key, pid file and authorized key under a temp dir, the key forced to
//! run one command (`docker ... system dial-stdio` against a private dockerd), so a
//! login can do nothing else. The guard stops sshd and removes the temp dir, even when
//! the test fails.
//!
//! The client side: OpenSSH takes `~` from the password database, not from `$HOME`,
//! so a temp home cannot carry its config. Instead the guard writes an `ssh` in a bin
//! dir of its own that execs the real one with `-F` and that config; a test puts that
//! dir first on berth's PATH, and berth still runs plain `ssh` as the docker CLI does.

use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::require_tool;

pub struct Sshd {
    pub dir: tempfile::TempDir,
    pub port: u16,
    child: Option<Child>,
}

/// The absolute path of `program` on PATH (sshd refuses to run from a relative one).
fn on_path(program: &str) -> PathBuf {
    let paths = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&paths)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{program} is not on PATH"))
}

fn keygen(path: &Path) {
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "berth-test", "-f"])
        .arg(path)
        .output()
        .expect("spawn ssh-keygen");
    assert!(
        out.status.success(),
        "ssh-keygen {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Sshd {
    /// Start sshd on a free port of 127.0.0.1; a login with the test key runs
    /// `forced_command` whatever the client asks for.
    pub fn start(forced_command: &str) -> Sshd {
        require_tool("sshd", "openssh-server");
        require_tool("ssh", "openssh-client");
        require_tool("ssh-keygen", "openssh-client");
        // sshd insists on its privilege-separation dir; Debian's service makes it at
        // boot, which a test machine may never have done. It is left in place: other
        // sshds may use it.
        std::fs::create_dir_all("/run/sshd").expect("create /run/sshd");
        let dir = tempfile::Builder::new()
            .prefix("berth-sshd-")
            .tempdir()
            .expect("temp dir for sshd");
        let p = dir.path().to_path_buf();
        let port = crate::free_port();
        let mut d = Sshd {
            dir,
            port,
            child: None,
        };
        keygen(&p.join("host_key"));
        keygen(&p.join("client_key"));
        let public = std::fs::read_to_string(p.join("client_key.pub")).expect("client key");
        std::fs::write(
            p.join("authorized_keys"),
            format!(
                "command=\"{forced_command}\",no-pty,no-port-forwarding,no-agent-forwarding,no-X11-forwarding {}",
                public.trim()
            ),
        )
        .expect("write authorized_keys");
        let config = p.join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "Port {port}\n\
                 ListenAddress 127.0.0.1\n\
                 HostKey {host_key}\n\
                 PidFile {pid}\n\
                 AuthorizedKeysFile {keys}\n\
                 StrictModes no\n\
                 PubkeyAuthentication yes\n\
                 PasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\n\
                 PermitRootLogin prohibit-password\n\
                 UsePAM no\n\
                 LogLevel VERBOSE\n",
                host_key = p.join("host_key").display(),
                pid = p.join("sshd.pid").display(),
                keys = p.join("authorized_keys").display(),
            ),
        )
        .expect("write sshd_config");
        d.write_client(&p);
        let log = std::fs::File::create(p.join("sshd.log")).expect("sshd.log");
        let child = Command::new(on_path("sshd"))
            .arg("-D")
            .arg("-e")
            .arg("-f")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("dup log"))
            .stderr(log)
            .spawn();
        match child {
            Ok(c) => d.child = Some(c),
            Err(e) => panic!("sshd could not be started: {e}"),
        }
        let until = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = d.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                panic!("sshd exited ({status}); its log:\n{}", d.log());
            }
            assert!(
                Instant::now() < until,
                "sshd did not listen on 127.0.0.1:{port} within 20 s; its log:\n{}",
                d.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        d
    }

    /// The client's config and the `ssh` that uses it.
    fn write_client(&self, p: &Path) {
        let config = p.join("ssh_config");
        std::fs::write(
            &config,
            format!(
                "Host *\n\
                 \x20 IdentityFile {key}\n\
                 \x20 IdentitiesOnly yes\n\
                 \x20 BatchMode yes\n\
                 \x20 StrictHostKeyChecking no\n\
                 \x20 UserKnownHostsFile /dev/null\n\
                 \x20 LogLevel ERROR\n",
                key = p.join("client_key").display(),
            ),
        )
        .expect("write ssh_config");
        let bin = p.join("bin");
        std::fs::create_dir(&bin).expect("bin dir");
        let ssh = bin.join("ssh");
        std::fs::write(
            &ssh,
            format!(
                "#!/bin/sh\nexec {} -F {} \"$@\"\n",
                on_path("ssh").display(),
                config.display()
            ),
        )
        .expect("write the ssh wrapper");
        std::fs::set_permissions(&ssh, std::fs::Permissions::from_mode(0o755))
            .expect("chmod the ssh wrapper");
    }

    /// A PATH whose `ssh` uses this sshd's client config, the rest as this process's.
    pub fn client_path(&self) -> std::ffi::OsString {
        let mut dirs = vec![self.dir.path().join("bin")];
        if let Some(path) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&path));
        }
        std::env::join_paths(dirs).expect("a PATH")
    }

    /// `ssh://root@127.0.0.1:port`.
    pub fn url(&self) -> String {
        format!("ssh://root@127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
    }

    /// ssh processes started through this guard's wrapper (by the command line's
    /// config path), for a test to check none is left.
    pub fn ssh_clients(&self) -> Vec<i32> {
        let needle = self.dir.path().join("ssh_config");
        let needle = needle.to_string_lossy().into_owned();
        let mut pids = Vec::new();
        for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
                continue;
            };
            let cmdline = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
            let cmdline = String::from_utf8_lossy(&cmdline);
            if cmdline.contains(&needle) && !cmdline.contains("sshd") {
                pids.push(pid);
            }
        }
        pids
    }
}

/// The processes whose parent is `pid`, and theirs, from /proc.
fn descendants(pid: i32) -> Vec<i32> {
    let mut parents: Vec<(i32, i32)> = Vec::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(p) = e.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
        // The parent is the second field after the command's closing parenthesis.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|f| f.parse::<i32>().ok());
        if let Some(ppid) = ppid {
            parents.push((p, ppid));
        }
    }
    let mut found = vec![pid];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            parents
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    found.remove(0);
    found
}

impl Drop for Sshd {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Its sessions (`sshd: root@notty` and the forced command) first, so no
            // dial-stdio outlives the test.
            for pid in descendants(child.id() as i32) {
                // SAFETY: kill(2) on a process our sshd started.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
            // SAFETY: kill(2) on the sshd we spawned; SIGTERM ends the listener and
            // its session processes go with their connections.
            unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
            let until = Instant::now() + Duration::from_secs(5);
            while Instant::now() < until && child.try_wait().ok().flatten().is_none() {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        // Clients started through our wrapper (a test that failed half-way).
        for pid in self.ssh_clients() {
            // SAFETY: kill(2) on an ssh started with this guard's config.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        // The TempDir removes the rest when it drops.
    }
}
