//! Throwaway named network namespaces (`ip netns add`, used only by tests) and a process
//! parked in one, for the operations that take a pid.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::network::netlink::Netlink;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The kernel tests need root and `ip`: without them they fail saying so, never pass
/// without checking anything.
pub fn require() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "this netlink kernel test runs as root"
    );
    let ip = Command::new("ip").arg("-V").output();
    assert!(
        ip.map(|o| o.status.success()).unwrap_or(false),
        "this netlink kernel test needs `ip`: apt-get install -y iproute2"
    );
}

/// A per-test unique number, also used to keep test subnets apart.
pub fn unique() -> u32 {
    COUNTER.fetch_add(1, Ordering::SeqCst)
}

/// A named network namespace deleted on drop, with everything created inside it.
pub struct TestNetns {
    pub name: String,
    pub path: PathBuf,
}

impl TestNetns {
    pub fn new() -> TestNetns {
        let name = format!("berthtest-{}-{}", std::process::id(), unique());
        let output = Command::new("ip").args(["netns", "add", &name]).output();
        let ns = TestNetns {
            path: Path::new("/run/netns").join(&name),
            name,
        };
        match output {
            Ok(o) if o.status.success() => {}
            other => panic!("ip netns add {}: {other:?}", ns.name),
        }
        // A fresh namespace holds only `lo`: anything else means the socket is not where
        // we think it is, and the test must not go on creating interfaces there.
        let names: Vec<String> = ns.netlink().links().map_or_else(
            |e| panic!("list links in {}: {e}", ns.name),
            |links| links.into_iter().map(|l| l.name).collect(),
        );
        assert_eq!(names, ["lo"], "namespace {} is not fresh", ns.name);
        ns
    }

    pub fn netlink(&self) -> Netlink {
        Netlink::open_in_netns(&self.path)
            .unwrap_or_else(|e| panic!("open netlink in {}: {e}", self.name))
    }

    /// Runs a command inside the namespace.
    pub fn exec(&self, args: &[&str]) -> Output {
        Command::new("ip")
            .args(["netns", "exec", &self.name])
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("ip netns exec {} {args:?}: {e}", self.name))
    }

    /// Pings `target` from inside the namespace (iputils `ping`, or busybox's where that
    /// is all there is), allowing a few tries for links that are still coming up.
    pub fn ping(&self, target: &str) -> bool {
        let has_ping = Command::new("ping").arg("-V").output().is_ok();
        let ping: &[&str] = if has_ping {
            &["ping"]
        } else {
            &["busybox", "ping"]
        };
        let args: Vec<&str> = ping.iter().copied().chain(["-c1", "-W1", target]).collect();
        (0..5).any(|_| self.exec(&args).status.success())
    }

    /// Starts a process inside the namespace and waits until it has really entered it:
    /// until then its pid still names the host's namespace, where nothing may be moved.
    pub fn park_process(&self) -> Parked {
        let child = Command::new("ip")
            .args(["netns", "exec", &self.name, "sleep", "60"])
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start a process in {}: {e}", self.name));
        let parked = Parked { child };
        let want = inode(&self.path);
        let proc_ns = PathBuf::from(format!("/proc/{}/ns/net", parked.pid()));
        let deadline = Instant::now() + Duration::from_secs(10);
        while inode(&proc_ns) != want {
            assert!(
                Instant::now() < deadline,
                "process never entered {}",
                self.name
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        parked
    }
}

impl Drop for TestNetns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .output();
    }
}

/// Runs `f` on a new thread that has entered namespace `ns` (setns moves only that
/// thread, and the namespace goes away with it).
fn in_netns<T: Send + 'static>(
    ns: &TestNetns,
    f: impl FnOnce() -> T + Send + 'static,
) -> std::thread::JoinHandle<T> {
    let path = ns.path.clone();
    std::thread::spawn(move || {
        let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        nix::sched::setns(file, nix::sched::CloneFlags::CLONE_NEWNET)
            .unwrap_or_else(|e| panic!("setns {path:?}: {e}"));
        f()
    })
}

/// Sends bytes over TCP from `client` to a listener on `server_ip` in `server`, and
/// back: a connection-level proof that the wiring carries traffic.
pub fn tcp_echo(server: &TestNetns, server_ip: IpAddr, client: &TestNetns) -> bool {
    let (port_tx, port_rx) = mpsc::channel();
    let server = in_netns(server, move || -> std::io::Result<()> {
        let listener = TcpListener::bind((server_ip, 0))?;
        let _ = port_tx.send(listener.local_addr()?.port());
        let (mut stream, _) = listener.accept()?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        let mut buf = [0u8; 5];
        stream.read_exact(&mut buf)?;
        stream.write_all(&buf)
    });
    let Ok(port) = port_rx.recv_timeout(Duration::from_secs(5)) else {
        return false;
    };
    let client = in_netns(client, move || -> std::io::Result<[u8; 5]> {
        let address = SocketAddr::new(server_ip, port);
        let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(5))?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        stream.write_all(b"berth")?;
        let mut buf = [0u8; 5];
        stream.read_exact(&mut buf)?;
        Ok(buf)
    });
    let echoed = matches!(client.join(), Ok(Ok(buf)) if &buf == b"berth");
    // A failed client leaves the server blocked in accept until its namespace is
    // deleted; only wait for it when the exchange worked.
    echoed && matches!(server.join(), Ok(Ok(())))
}

/// A process parked in a namespace, killed and reaped on drop.
pub struct Parked {
    child: Child,
}

impl Parked {
    pub fn pid(&self) -> i32 {
        i32::try_from(self.child.id()).unwrap_or(i32::MAX)
    }
}

impl Drop for Parked {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The (device, inode) pair identifying a namespace file; (0, 0) when unreadable.
pub fn inode(path: &Path) -> (u64, u64) {
    std::fs::metadata(path).map_or((0, 0), |m| (m.dev(), m.ino()))
}

/// Stdout of a command run in `ns`, for assertions on `ip` listings.
pub fn stdout(ns: &TestNetns, args: &[&str]) -> String {
    String::from_utf8_lossy(&ns.exec(args).stdout).into_owned()
}
