//! A private dockerd (Debian's `docker.io`, 20.10) for differential tests: its own data
//! root, exec root, pidfile, socket and config under a temp dir, its own bridge on a
//! private 10.x range, no iptables or forwarding changes, its own cgroup parent, and no
//! registry access (any pull goes to a closed loopback proxy and fails; images come from
//! `berth save` loaded with `docker load`). The guard removes its containers and
//! networks, stops dockerd and its containerd and shims, unmounts what they left, and
//! removes the bridge, the cgroups and the temp dir, even when the test fails.

use crate::{remove_cgroup_tree, require_tool, Berth, Out};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The Docker client of Debian's `docker.io` (an unrelated newer client may come first on
/// PATH).
pub const DOCKER_CLIENT: &str = "/usr/bin/docker";

pub struct Dockerd {
    pub dir: tempfile::TempDir,
    pub sock: PathBuf,
    pub bridge: String,
    cgroup_parent: String,
    /// More dockerd arguments (a TLS listener), for every start.
    extra: Vec<String>,
    child: Option<Child>,
}

/// A TCP listener with TLS for the private dockerd, besides its socket: dockerd's
/// `--tlsverify --tlscacert --tlscert --tlskey` on `tcp://127.0.0.1:port`.
pub struct TlsListen {
    pub port: u16,
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TlsListen {
    fn args(&self) -> Vec<String> {
        let path = |p: &Path| p.display().to_string();
        vec![
            "--host".into(),
            format!("tcp://127.0.0.1:{}", self.port),
            "--tlsverify".into(),
            "--tlscacert".into(),
            path(&self.ca),
            "--tlscert".into(),
            path(&self.cert),
            "--tlskey".into(),
            path(&self.key),
        ]
    }
}

impl Dockerd {
    /// `start`, the daemon also listening on TCP with TLS (client certificates
    /// required) as `tls` says.
    pub fn start_with_tls(tls: &TlsListen) -> Dockerd {
        Self::start_with_args(&tls.args())
    }

    /// Start a private dockerd and wait until it answers. Panics, saying why and with
    /// the end of its log, when it cannot: a differential test never passes by skipping.
    pub fn start() -> Dockerd {
        Self::start_with_args(&[])
    }

    /// `start` with more dockerd arguments.
    fn start_with_args(extra: &[String]) -> Dockerd {
        require_tool("dockerd", "docker.io");
        require_tool("containerd", "docker.io");
        require_tool("ip", "iproute2");
        assert!(
            Path::new(DOCKER_CLIENT).is_file(),
            "this test needs Debian's docker client at {DOCKER_CLIENT}: \
             install it with `apt-get install -y docker.io`"
        );
        let dir = tempfile::Builder::new()
            .prefix("berth-dockerd-")
            .tempdir()
            .expect("temp dir for dockerd");
        let pid = std::process::id();
        let bridge = format!("bdk{}", pid % 1_000_000);
        let cgroup_parent = format!("berth-dockerd-{pid}");
        let mut d = Dockerd {
            sock: dir.path().join("docker.sock"),
            dir,
            bridge,
            cgroup_parent,
            extra: extra.to_vec(),
            child: None,
        };
        // From here on the guard cleans up whatever was made.
        d.make_bridge(pid);
        let config = d.dir.path().join("daemon.json");
        // The deprecated trust key would otherwise be written to /etc/docker/key.json.
        std::fs::write(
            &config,
            format!(
                "{{\"deprecated-key-path\": \"{}\"}}\n",
                d.dir.path().join("key.json").display()
            ),
        )
        .expect("write daemon.json");
        d.spawn_daemon();
        d
    }

    /// Start dockerd on this temp dir (again, after `stop_daemon`) and wait until it
    /// answers.
    pub fn spawn_daemon(&mut self) {
        let log = std::fs::File::create(self.dir.path().join("dockerd.log")).expect("dockerd.log");
        let p = self.dir.path();
        let config = p.join("daemon.json");
        let pid = std::process::id();
        let child = Command::new("dockerd")
            .arg("--config-file")
            .arg(&config)
            .arg("--data-root")
            .arg(p.join("data"))
            .arg("--exec-root")
            .arg(p.join("exec"))
            .arg("--pidfile")
            .arg(p.join("dockerd.pid"))
            .arg("--host")
            .arg(format!("unix://{}", self.sock.display()))
            .args([
                "--iptables=false",
                "--ip-forward=false",
                "--ip-masq=false",
                "--userland-proxy=false",
                "--storage-driver=overlay2",
            ])
            .arg(format!("--bridge={}", self.bridge))
            // User networks get /24s of a private range of their own.
            .arg(format!(
                "--default-address-pool=base=10.{}.0.0/16,size=24",
                160 + pid % 40
            ))
            .arg(format!("--cgroup-parent=/{}", self.cgroup_parent))
            .args(&self.extra)
            // No registry: a pull goes to a closed port on loopback and fails at once.
            .env("HTTP_PROXY", "http://127.0.0.1:9")
            .env("HTTPS_PROXY", "http://127.0.0.1:9")
            .env("NO_PROXY", "")
            .env_remove("http_proxy")
            .env_remove("https_proxy")
            .env_remove("no_proxy")
            .env_remove("DOCKER_HOST")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("dup log"))
            .stderr(log)
            .spawn();
        match child {
            Ok(c) => self.child = Some(c),
            Err(e) => panic!("dockerd could not be started: {e}"),
        }
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            if self
                .run(&["version", "--format", "{{.Server.Version}}"])
                .code
                == 0
            {
                break;
            }
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!(
                    "dockerd exited ({status}) before it answered; its log:\n{}",
                    self.log_tail()
                );
            }
            assert!(
                Instant::now() < until,
                "dockerd did not answer on {} within 60 s; its log:\n{}",
                self.sock.display(),
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stop dockerd (SIGTERM, as an admin's `systemctl stop docker`) and wait for it to
    /// go; its containers stop with it. The guard still cleans up after.
    pub fn stop_daemon(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SAFETY: kill(2) on the dockerd we spawned.
            unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
            let until = Instant::now() + Duration::from_secs(30);
            while Instant::now() < until && child.try_wait().ok().flatten().is_none() {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        // Its containerd goes too, so that the next dockerd starts one of its own.
        let until = Instant::now() + Duration::from_secs(15);
        while Instant::now() < until && !self.our_processes().is_empty() {
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A bridge of our own on a private /24 (dockerd takes its address for `bridge`).
    fn make_bridge(&self, pid: u32) {
        let addr = format!("10.{}.{}.1/24", 110 + pid % 40, (pid / 40) % 250);
        for args in [
            vec!["link", "add", self.bridge.as_str(), "type", "bridge"],
            vec!["addr", "add", addr.as_str(), "dev", self.bridge.as_str()],
            vec!["link", "set", self.bridge.as_str(), "up"],
        ] {
            let out = Command::new("ip").args(&args).output().expect("spawn ip");
            assert!(
                out.status.success(),
                "dockerd's bridge: ip {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.path().join("dockerd.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// The docker client bound to this daemon, with a client config dir of its own.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(DOCKER_CLIENT);
        c.arg("--host")
            .arg(format!("unix://{}", self.sock.display()))
            .env("DOCKER_CONFIG", self.dir.path().join("client"))
            .env_remove("DOCKER_HOST")
            .env_remove("DOCKER_CONTEXT")
            .stdin(Stdio::null());
        c
    }

    pub fn run(&self, args: &[&str]) -> Out {
        Out::from(self.cmd().args(args).output().expect("spawn docker"))
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert_eq!(
            o.code, 0,
            "docker {args:?} failed: {}{}",
            o.stdout, o.stderr
        );
        o.stdout.trim_end().to_string()
    }

    /// Give dockerd berth's image `name`: `berth save`, then `docker load`.
    pub fn load_from_berth(&self, b: &Berth, name: &str) {
        let tar = self.dir.path().join("image.tar");
        let tar = tar.to_str().expect("utf-8 temp path");
        b.ok(&["save", "-o", tar, name]);
        self.ok(&["load", "-i", tar]);
        let _ = std::fs::remove_file(tar);
    }

    /// Processes whose command line names our temp dir (dockerd, its containerd, shims).
    fn our_processes(&self) -> Vec<i32> {
        let needle = self.dir.path().to_string_lossy().into_owned();
        let mut pids = Vec::new();
        for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
                continue;
            };
            let cmdline = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
            if String::from_utf8_lossy(&cmdline).contains(&needle) {
                pids.push(pid);
            }
        }
        pids
    }

    /// Mount points under our temp dir, deepest first.
    fn our_mounts(&self) -> Vec<String> {
        let prefix = self.dir.path().to_string_lossy().into_owned();
        let info = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
        let mut mounts: Vec<String> = info
            .lines()
            .filter_map(|l| l.split(' ').nth(4))
            .filter(|m| m.starts_with(&prefix))
            .map(str::to_string)
            .collect();
        mounts.reverse();
        mounts
    }
}

/// berth pointed at this dockerd with `-H` (the shell's DOCKER_HOST and TLS variables
/// set aside), in `b`'s test environment.
pub fn berth_on(b: &Berth, d: &Dockerd) -> Command {
    let mut c = b.cmd();
    c.env_remove("DOCKER_HOST")
        .env_remove("DOCKER_TLS_VERIFY")
        .arg("-H")
        .arg(format!("unix://{}", d.sock.display()));
    c
}

pub fn berth_run(b: &Berth, d: &Dockerd, args: &[&str]) -> Out {
    Out::from(berth_on(b, d).args(args).output().expect("spawn berth"))
}

/// Run and insist on success; returns trimmed stdout.
pub fn berth_ok(b: &Berth, d: &Dockerd, args: &[&str]) -> String {
    let o = berth_run(b, d, args);
    assert_eq!(o.code, 0, "berth -H {args:?} failed:\n{}", o.show());
    o.stdout.trim_end().to_string()
}

impl Drop for Dockerd {
    fn drop(&mut self) {
        let alive = self
            .child
            .as_mut()
            .is_some_and(|c| c.try_wait().ok().flatten().is_none());
        let mut bridges = Vec::new();
        if alive {
            // Containers first, then user networks (dockerd removes their bridges).
            let ids = self.run(&["ps", "-aq"]).stdout;
            let ids: Vec<&str> = ids.lines().filter(|l| !l.is_empty()).collect();
            if !ids.is_empty() {
                let mut args = vec!["rm", "-f", "-v"];
                args.extend(ids);
                let _ = self.run(&args);
            }
            let nets = self
                .run(&["network", "ls", "-q", "--filter", "type=custom"])
                .stdout;
            for id in nets.lines().filter(|l| !l.is_empty()) {
                bridges.push(format!("br-{}", &id[..id.len().min(12)]));
                let _ = self.run(&["network", "rm", id]);
            }
        }
        // Stop dockerd (it stops its containerd); SIGKILL whatever is left after 20 s.
        if let Some(mut child) = self.child.take() {
            // SAFETY: kill(2) on the dockerd we spawned.
            unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
            let until = Instant::now() + Duration::from_secs(20);
            while Instant::now() < until && child.try_wait().ok().flatten().is_none() {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        for pid in self.our_processes() {
            // SAFETY: kill(2) on a containerd or shim started for our temp dir.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        // Container processes left by killed shims live in our cgroup parent.
        for hierarchy in std::fs::read_dir("/sys/fs/cgroup")
            .into_iter()
            .flatten()
            .flatten()
        {
            let p = hierarchy.path().join(&self.cgroup_parent);
            if p.exists() {
                remove_cgroup_tree(&p);
            }
        }
        for m in self.our_mounts() {
            if let Ok(c) = std::ffi::CString::new(m) {
                // SAFETY: umount2 of a mount point under our temp dir.
                unsafe { libc::umount2(c.as_ptr(), libc::MNT_DETACH) };
            }
        }
        bridges.push(self.bridge.clone());
        for b in bridges {
            let _ = Command::new("ip")
                .args(["link", "del", &b])
                .stderr(Stdio::null())
                .status();
        }
        // The TempDir removes the rest when it drops.
    }
}

/// A private dockerd made ready for swarm mode, left again when dropped (before the
/// [`Dockerd`] itself), even when the test fails: `docker swarm leave --force`, then
/// its `docker_gwbridge`. The bridge swarm connects containers to the host with is
/// made here beforehand under a name of this test's own (`bdkgw<pid>`) on a private
/// /24, so two daemons in swarm mode on one host never fight over `docker_gwbridge`.
/// The swarm itself is initialized by the test (through berth or the docker CLI),
/// with [`DockerSwarm::init_args`]: a loopback listen address and data path port of
/// its own, for the same reason.
pub struct DockerSwarm<'a> {
    d: &'a Dockerd,
    pub gw_bridge: String,
    pub listen_port: u16,
    pub data_path_port: u16,
}

impl Dockerd {
    pub fn swarm_ready(&self) -> DockerSwarm<'_> {
        let pid = std::process::id();
        let s = DockerSwarm {
            d: self,
            gw_bridge: format!("bdkgw{}", pid % 1_000_000),
            listen_port: crate::free_port(),
            // A UDP port of its own for VXLAN (1024-49151, as swarm wants).
            data_path_port: 20_000 + (pid % 20_000) as u16,
        };
        let subnet = format!("10.{}.{}.0/24", 60 + pid % 40, (pid / 40) % 250);
        self.ok(&[
            "network",
            "create",
            "--driver",
            "bridge",
            "--subnet",
            &subnet,
            "--opt",
            &format!("com.docker.network.bridge.name={}", s.gw_bridge),
            "--opt",
            "com.docker.network.bridge.enable_icc=false",
            "--opt",
            "com.docker.network.bridge.enable_ip_masquerade=false",
            "docker_gwbridge",
        ]);
        s
    }
}

impl DockerSwarm<'_> {
    /// `swarm init`'s flags for this daemon (berth's and the docker CLI's are the same).
    pub fn init_args(&self) -> Vec<String> {
        let addr = format!("127.0.0.1:{}", self.listen_port);
        vec![
            "swarm".into(),
            "init".into(),
            "--advertise-addr".into(),
            addr.clone(),
            "--listen-addr".into(),
            addr,
            "--data-path-port".into(),
            self.data_path_port.to_string(),
        ]
    }
}

impl Drop for DockerSwarm<'_> {
    fn drop(&mut self) {
        // Services, their tasks, secrets, configs and overlay networks go with the swarm.
        let _ = self.d.run(&["swarm", "leave", "--force"]);
        // Task containers may outlive the leave for a moment; the bridge goes after them.
        let until = Instant::now() + Duration::from_secs(20);
        while Instant::now() < until && !self.d.run(&["ps", "-aq"]).stdout.trim().is_empty() {
            let ids = self.d.run(&["ps", "-aq"]).stdout;
            let mut args = vec!["rm", "-f"];
            args.extend(ids.split_whitespace());
            let _ = self.d.run(&args);
            std::thread::sleep(Duration::from_millis(200));
        }
        let _ = self.d.run(&["network", "rm", "docker_gwbridge"]);
        let _ = Command::new("ip")
            .args(["link", "del", &self.gw_bridge])
            .stderr(Stdio::null())
            .status();
    }
}
