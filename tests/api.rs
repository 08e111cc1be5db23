//! `berth system service` for a test: the API on a unix socket in the test's temp dir,
//! and the docker CLI (Debian's `docker.io`, only its client) pointed at it with a
//! config dir of its own, so nothing of the host's ~/.docker is read or written.

use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use crate::{eventually, require_tool, Berth, Out};

pub struct Service {
    child: Child,
    pub socket: PathBuf,
    config: PathBuf,
    /// The docker client the test drives (Debian's by default).
    client: PathBuf,
}

/// Debian's docker CLI (`docker.io`, required), and the newer static client this machine
/// image ships in /usr/local/bin when it does: every flow runs with each.
pub fn clients() -> Vec<PathBuf> {
    require_tool("docker", "docker.io");
    let mut v = vec![PathBuf::from("/usr/bin/docker")];
    let newer = PathBuf::from("/usr/local/bin/docker");
    if newer.is_file() {
        v.push(newer);
    }
    v
}

impl Service {
    /// Start the service for `b`'s state root and wait until it answers.
    pub fn start(b: &Berth) -> Service {
        Self::start_for(b, PathBuf::from("/usr/bin/docker"))
    }

    /// The same, driven by the docker client at `client`.
    pub fn start_for(b: &Berth, client: PathBuf) -> Service {
        let socket = b.dir.path().join("api.sock");
        let config = b.dir.path().join("docker-config");
        std::fs::create_dir_all(&config).expect("docker config dir");
        let child = b
            .cmd()
            .args(["system", "service", "--time", "0"])
            .arg(format!("unix://{}", socket.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn berth system service");
        let s = Service {
            child,
            socket,
            config,
            client,
        };
        assert!(
            eventually(20, || std::os::unix::net::UnixStream::connect(&s.socket)
                .is_ok()),
            "berth system service did not listen on {}",
            s.socket.display()
        );
        s
    }

    pub fn host(&self) -> String {
        format!("unix://{}", self.socket.display())
    }

    /// A docker CLI command against this service.
    pub fn docker_cmd(&self) -> Command {
        require_tool("docker", "docker.io");
        self.client_cmd(&self.client)
    }

    /// Any Docker API client (docker-compose, a Python with docker-py) pointed at this
    /// service, with a docker config dir of its own.
    pub fn client_cmd(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(program);
        c.env("DOCKER_HOST", self.host())
            .env("DOCKER_CONFIG", &self.config)
            .env_remove("DOCKER_CONTEXT")
            .env_remove("DOCKER_TLS_VERIFY")
            .env_remove("DOCKER_CERT_PATH")
            .stdin(Stdio::null());
        c
    }

    /// Run the docker CLI, capturing its output; a CLI still running after two minutes
    /// fails the test (a hang must not stall the suite).
    pub fn docker(&self, args: &[&str]) -> Out {
        let mut child = self
            .docker_cmd()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn docker");
        let out_t = drain(child.stdout.take());
        let err_t = drain(child.stderr.take());
        let code = eventually_status(&mut child, 120);
        Out::from(std::process::Output {
            status: std::os::unix::process::ExitStatusExt::from_raw(code << 8),
            stdout: out_t.join().unwrap_or_default(),
            stderr: err_t.join().unwrap_or_default(),
        })
    }

    /// Run and insist on success; returns trimmed stdout.
    pub fn docker_ok(&self, args: &[&str]) -> String {
        let o = self.docker(args);
        assert_eq!(
            o.code,
            0,
            "{} {args:?} failed ({}): {}{}",
            self.client.display(),
            o.code,
            o.stdout,
            o.stderr
        );
        o.stdout.trim_end().to_string()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        // SIGTERM, as a user stops it; then make sure.
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let gone = eventually(5, || matches!(self.child.try_wait(), Ok(Some(_))));
        if !gone {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One raw HTTP/1.1 request on the socket (for answers the docker CLI rewords): the
/// status code and the body.
pub fn http(socket: &std::path::Path, method: &str, path: &str, body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::os::unix::net::UnixStream::connect(socket).expect("connect to the API socket");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).expect("send request");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read answer");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    (
        status,
        if chunked {
            dechunk(rest)
        } else {
            rest.to_string()
        },
    )
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

impl Service {
    /// Run the docker CLI on a terminal of its own, typing `keys` into it as a user
    /// would (one line at a time); returns the exit code and everything the terminal
    /// showed.
    pub fn docker_in_pty(&self, args: &[&str], keys: &[&str]) -> (i32, String) {
        use std::io::{Read, Write};
        use std::os::fd::FromRawFd;
        use std::os::unix::process::CommandExt;
        let (mut master, mut slave) = (-1, -1);
        // SAFETY: openpty fills two descriptors we then own.
        let rc = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                std::ptr::null(),
            )
        };
        assert_eq!(rc, 0, "openpty");
        // SAFETY: fresh descriptors from openpty, owned from here on.
        let master_file = unsafe { std::fs::File::from_raw_fd(master) };
        let slave_file = unsafe { std::fs::File::from_raw_fd(slave) };
        let mut cmd = self.docker_cmd();
        cmd.args(args)
            .stdin(slave_file.try_clone().expect("dup"))
            .stdout(slave_file.try_clone().expect("dup"))
            .stderr(slave_file.try_clone().expect("dup"));
        // SAFETY: setsid and TIOCSCTTY are async-signal-safe; the terminal becomes the
        // CLI's controlling terminal, as in a shell.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                libc::ioctl(0, libc::TIOCSCTTY, 0);
                Ok(())
            });
        }
        let mut child = cmd.spawn().expect("spawn docker on a pty");
        // Only the CLI may hold the terminal's slave side, or its end never shows.
        drop(cmd);
        drop(slave_file);
        let reader = {
            let mut m = master_file.try_clone().expect("dup master");
            std::thread::spawn(move || {
                let mut out = Vec::new();
                let mut buf = [0u8; 4096];
                while let Ok(n) = m.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    out.extend_from_slice(&buf[..n]);
                }
                String::from_utf8_lossy(&out).into_owned()
            })
        };
        let mut m = master_file;
        for k in keys {
            std::thread::sleep(std::time::Duration::from_millis(700));
            m.write_all(k.as_bytes()).expect("type into the terminal");
        }
        let code = eventually_status(&mut child, 30);
        drop(m);
        (code, reader.join().unwrap_or_default())
    }
}

/// Read a child's pipe to its end on a thread of its own.
fn drain<R: std::io::Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut v = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut v);
        }
        v
    })
}

fn eventually_status(child: &mut Child, secs: u64) -> i32 {
    let mut code = None;
    eventually(secs, || {
        code = child
            .try_wait()
            .ok()
            .flatten()
            .map(|s| s.code().unwrap_or(128 + s.signal().unwrap_or(0)));
        code.is_some()
    });
    match code {
        Some(c) => c,
        None => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the docker CLI did not finish in {secs} s");
        }
    }
}

/// The virtualenv's Python with docker-py (`BERTH_TEST_PYTHON` overrides), or a loud
/// failure that says how to make it.
pub fn python() -> PathBuf {
    let p = std::env::var_os("BERTH_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/py/bin/python")
        });
    assert!(
        p.is_file(),
        "this test needs docker-py in a virtualenv at {}: make it with \
         `python3 -m venv target/py && target/py/bin/pip install docker` \
         (README.md's test command does)",
        p.display()
    );
    p
}
