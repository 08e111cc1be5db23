//! Shared harness for the end-to-end tests: each test gets its own state root, runtime
//! root and cgroup parent, a busybox image imported from the host's static busybox, and a
//! guard that removes every container, cgroup and temp dir it made, even on failure.

pub mod api;
pub mod docker;
pub mod moto;
pub mod pki;
pub mod podman;
pub mod registry_server;
pub mod shapes;
pub mod sshd;
pub mod swarm;
pub mod tmux;
pub mod token_server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The berth binary under test: `BERTH_BIN`, else the workspace's debug build.
pub fn berth_bin() -> PathBuf {
    if let Ok(p) = std::env::var("BERTH_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("debug/berth")
}

pub struct Berth {
    pub dir: tempfile::TempDir,
    pub root: PathBuf,
    pub run_root: PathBuf,
    pub cgroup_parent: String,
    pub n: usize,
}

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// The exit code and both streams, for an assertion's message.
    pub fn show(&self) -> String {
        format!("exit {}\n{}{}", self.code, self.stdout, self.stderr)
    }

    pub fn from(o: Output) -> Out {
        Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Default for Berth {
    fn default() -> Self {
        Self::new()
    }
}

impl Berth {
    pub fn new() -> Berth {
        assert!(nix_is_root(), "the end-to-end tests run as root");
        // Every test's image comes from the host's static busybox; networks need the
        // firewall.
        require_tool("busybox", "busybox-static");
        require_tool("nft", "nftables");
        let dir = tempfile::Builder::new()
            .prefix("berth-e2e-")
            .tempdir()
            .expect("temp dir");
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        Berth {
            root: dir.path().join("root"),
            run_root: dir.path().join("run"),
            cgroup_parent: format!("berth-test-{}-{n}", std::process::id()),
            n,
            dir,
        }
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new(berth_bin());
        c.env("BERTH_ROOT", &self.root)
            .env("BERTH_RUN_ROOT", &self.run_root)
            .env("BERTH_CGROUP_PARENT", &self.cgroup_parent)
            // The engine under test is this root's, whatever the shell running the
            // tests points the docker CLI at (a test that wants a Docker engine or a
            // context says so after this).
            .env_remove("DOCKER_HOST")
            .env_remove("DOCKER_CONTEXT")
            .env("DOCKER_CONFIG", self.dir.path().join("docker-config"))
            .stdin(Stdio::null());
        c
    }

    /// Run berth with `args`, capturing output.
    pub fn run(&self, args: &[&str]) -> Out {
        Out::from(self.cmd().args(args).output().expect("spawn berth"))
    }

    /// Run and insist on success; returns trimmed stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert_eq!(o.code, 0, "berth {args:?} failed: {}{}", o.stdout, o.stderr);
        o.stdout.trim_end().to_string()
    }

    /// A busybox image tagged `name`, built from the host's static busybox.
    pub fn busybox_image(&self, name: &str) {
        let tar = self
            .dir
            .path()
            .join(format!("{}.tar", name.replace([':', '/'], "_")));
        self.ok(&["demo", "--rootfs", tar.to_str().unwrap()]);
        self.ok(&["import", tar.to_str().unwrap(), name]);
    }

    /// Start `n` berth processes with `args` at once and insist that all succeed.
    pub fn ok_in_parallel(&self, n: usize, args: &[&str]) {
        let children: Vec<_> = (0..n)
            .map(|_| {
                self.cmd()
                    .args(args)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn berth")
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().expect("wait for berth");
            assert!(
                out.status.success(),
                "berth {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }

    /// This test root's ID (made by its first command), which names its bridge and
    /// firewall table, as for any state root but the default one.
    pub fn root_id(&self) -> Option<String> {
        std::fs::read_to_string(self.root.join("root-id"))
            .ok()
            .map(|s| s.trim().to_string())
    }

    /// This root's nftables table.
    pub fn nft_table(&self) -> String {
        format!("berth_{}", self.root_id().expect("the root has an ID"))
    }

    /// This root's default bridge.
    pub fn bridge(&self) -> String {
        format!("berth{}", self.root_id().expect("the root has an ID"))
    }

    /// The default network's subnet and gateway (chosen host-wide on first use).
    pub fn default_subnet(&self) -> (String, String) {
        let s = self.ok(&[
            "network",
            "inspect",
            "--format",
            "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}",
            "bridge",
        ]);
        let (subnet, gw) = s.split_once(' ').expect("subnet and gateway");
        (subnet.to_string(), gw.to_string())
    }

    /// A /28 for this test's k-th user network (k < 16), unique among parallel tests.
    pub fn user_subnet(&self, k: usize) -> String {
        format!(
            "10.{}.{}.{}/28",
            200 + std::process::id() % 50,
            self.n % 256,
            (k % 16) * 16
        )
    }

    /// Host interfaces whose names start with `prefix`.
    pub fn host_links(prefix: &str) -> Vec<String> {
        std::fs::read_dir("/sys/class/net")
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.starts_with(prefix))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// SIGKILL the monitor of container `name` (from its state record), as a crash would.
    pub fn kill_monitor(&self, name: &str) {
        let state = std::fs::read_to_string(
            self.root
                .join("containers")
                .join(self.inspect(name, "{{.Id}}"))
                .join("state.json"),
        )
        .expect("state.json");
        let v: serde_json::Value = serde_json::from_str(&state).expect("state json");
        let monitor = v["monitor_pid"].as_i64().expect("monitor_pid") as i32;
        assert!(monitor > 0);
        // SAFETY: kill(2) on the monitor we just looked up.
        unsafe { libc::kill(monitor, libc::SIGKILL) };
    }

    /// The events journal so far for one `--filter` (e.g. `container=ID`).
    pub fn events(&self, filter: &str) -> String {
        self.ok(&[
            "events", "--since", "1h", "--until", "0s", "--filter", filter,
        ])
    }

    /// Start berth with `args` and SIGKILL it after `delay`, as an OOM kill or a
    /// user's kill -9 would.
    pub fn killed_after(&self, args: &[&str], delay: std::time::Duration) {
        let mut child = self
            .cmd()
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn berth");
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
    }

    pub fn inspect(&self, name: &str, fmt: &str) -> String {
        self.ok(&["inspect", "--format", fmt, name])
    }

    /// The first of `files` found in container `id`'s cgroup (v1 and v2 names differ).
    pub fn cgroup_value(&self, id: &str, files: &[&str]) -> String {
        for dir in self.cgroup_dirs() {
            for f in files {
                if let Ok(v) = std::fs::read_to_string(dir.join(id).join(f)) {
                    return v.trim().to_string();
                }
            }
        }
        panic!(
            "no cgroup file {files:?} for {id} under {:?}",
            self.cgroup_dirs()
        );
    }

    /// Every cgroup directory this test's parent has on the machine.
    pub fn cgroup_dirs(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        if let Ok(rd) = std::fs::read_dir("/sys/fs/cgroup") {
            for e in rd.flatten() {
                let p = e.path().join(&self.cgroup_parent);
                if p.exists() {
                    out.push(p);
                }
            }
        }
        let p = Path::new("/sys/fs/cgroup").join(&self.cgroup_parent);
        if p.exists() {
            out.push(p);
        }
        out
    }
}

impl Drop for Berth {
    fn drop(&mut self) {
        // Remove every container (this stops monitors and removes cgroups).
        let ids = self.run(&["ps", "-aq", "--no-trunc"]).stdout;
        for id in ids.lines().filter(|l| !l.is_empty()) {
            let _ = self.run(&["rm", "-f", id]);
        }
        // Anything still left (a test that killed things on purpose): kill and remove.
        for dir in self.cgroup_dirs() {
            remove_cgroup_tree(&dir);
        }
        // User networks (and their bridges), then this root's default bridge and table.
        let _ = self.run(&["network", "prune", "-f"]);
        if self.root_id().is_some() {
            let _ = Command::new("ip")
                .args(["link", "del", &self.bridge()])
                .stderr(Stdio::null())
                .status();
            // The swarm's routing mesh has a table of its own beside it.
            for table in [self.nft_table(), format!("{}_mesh", self.nft_table())] {
                let _ = Command::new("nft")
                    .args(["delete", "table", "ip", &table])
                    .stderr(Stdio::null())
                    .status();
            }
        }
    }
}

/// Kill every process in the cgroup tree at `dir` and remove it, deepest first.
pub fn remove_cgroup_tree(dir: &Path) {
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            if e.path().is_dir() {
                remove_cgroup_tree(&e.path());
            }
        }
    }
    if let Ok(procs) = std::fs::read_to_string(dir.join("cgroup.procs")) {
        for pid in procs.lines().filter_map(|l| l.parse::<i32>().ok()) {
            // SAFETY: kill(2) on a pid read from our own test cgroup.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }
    for _ in 0..50 {
        if std::fs::remove_dir(dir).is_ok() || !dir.exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Fail the test, loudly and with the fix, when a program it needs is missing (a test
/// never passes by skipping what it was meant to check).
pub fn require_tool(program: &str, package: &str) {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()));
    assert!(
        found,
        "this test needs `{program}`: install it with `apt-get install -y {package}` \
         (README.md's test command installs everything the tests need)"
    );
}

fn nix_is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A TCP port no one holds right now (the kernel's pick, released at once).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("0.0.0.0:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Poll `f` until it returns true or `secs` pass.
pub fn eventually(secs: u64, mut f: impl FnMut() -> bool) -> bool {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < until {
        if f() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    f()
}

/// A stand-in for another machine: a network namespace joined to the host by a veth
/// pair on a /30 of 198.51.100.0/24 (TEST-NET-2, never routed anywhere), with a busybox
/// httpd serving `hello` on port 8080. Removed on drop, even when the test fails.
pub struct Outside {
    pub ns: String,
    host_if: String,
    /// The host's address on the link, and the outside namespace's.
    pub host_ip: String,
    pub ip: String,
    server: std::process::Child,
    www: std::path::PathBuf,
}

impl Outside {
    /// `tag` names the namespace and link; `k` (< 64) picks the /30.
    pub fn new(tag: &str, k: u32) -> Outside {
        require_tool("ip", "iproute2");
        let ns = format!("bo{tag}");
        let host_if = format!("bv{tag}");
        let (host_ip, ip) = (
            format!("198.51.100.{}", 4 * k + 1),
            format!("198.51.100.{}", 4 * k + 2),
        );
        let ip_cmd = |args: &[&str]| {
            let st = std::process::Command::new("ip")
                .args(args)
                .status()
                .unwrap();
            assert!(st.success(), "ip {args:?}");
        };
        ip_cmd(&["netns", "add", &ns]);
        ip_cmd(&[
            "link", "add", &host_if, "type", "veth", "peer", "name", "eth0", "netns", &ns,
        ]);
        ip_cmd(&["addr", "add", &format!("{host_ip}/30"), "dev", &host_if]);
        ip_cmd(&["link", "set", &host_if, "up"]);
        ip_cmd(&["-n", &ns, "addr", "add", &format!("{ip}/30"), "dev", "eth0"]);
        ip_cmd(&["-n", &ns, "link", "set", "eth0", "up"]);
        ip_cmd(&["-n", &ns, "link", "set", "lo", "up"]);
        let www = std::env::temp_dir().join(format!("berth-outside-{tag}"));
        std::fs::create_dir_all(&www).unwrap();
        std::fs::write(www.join("hello"), "from outside\n").unwrap();
        let server = std::process::Command::new("ip")
            .args([
                "netns", "exec", &ns, "busybox", "httpd", "-f", "-p", "8080", "-h",
            ])
            .arg(&www)
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(200));
        Outside {
            ns,
            host_if,
            host_ip,
            ip,
            server,
            www,
        }
    }
}

impl Outside {
    /// Run a shell command inside the outside namespace; true when it succeeds.
    pub fn sh(&self, script: &str) -> bool {
        std::process::Command::new("ip")
            .args(["netns", "exec", &self.ns, "sh", "-c", script])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// The body of `url` fetched from the outside namespace within 3 seconds.
    pub fn fetch(&self, url: &str) -> Option<String> {
        let out = std::process::Command::new("ip")
            .args(["netns", "exec", &self.ns, "timeout", "3", "busybox", "wget"])
            .args(["-q", "-O-", url])
            .stderr(Stdio::null())
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Fetch `url` from the outside namespace within 3 seconds.
    pub fn wget(&self, url: &str) -> bool {
        self.sh(&format!("timeout 3 busybox wget -q -O- {url} >/dev/null"))
    }
}

impl Drop for Outside {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
        let _ = std::process::Command::new("ip")
            .args(["link", "del", &self.host_if])
            .status();
        let _ = std::process::Command::new("ip")
            .args(["netns", "del", &self.ns])
            .status();
        let _ = std::fs::remove_dir_all(&self.www);
    }
}
