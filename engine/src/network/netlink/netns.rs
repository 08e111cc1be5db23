//! Opening a netlink socket inside another network namespace. A socket belongs to the
//! namespace it was created in, so the calling thread visits the target namespace just
//! long enough to create it, then returns.

use std::fs::File;
use std::os::fd::AsFd;
use std::path::Path;

use nix::errno::Errno;
use nix::sched::{setns, CloneFlags};

use super::error::{NetlinkError, Result};
use super::socket::Netlink;

/// The calling thread's own namespace: `/proc/self` would name the main thread's, which
/// differs from ours when a test harness or another thread has moved.
const OWN_NETNS: &str = "/proc/thread-self/ns/net";

impl Netlink {
    /// Opens a socket in the network namespace at `ns_file` (`/proc/PID/ns/net`, or a
    /// bind mount such as `/run/netns/NAME`).
    ///
    /// setns(2) moves only the calling thread, and for the duration of this call only;
    /// the thread is returned to its original namespace whether or not the socket could
    /// be opened. Callers that fork or clone must not do so from another thread while
    /// this runs, which a single-threaded monitor guarantees by construction. If the
    /// return itself fails the thread is left in the wrong namespace, which is reported
    /// as an error naming the original namespace: the caller should treat it as fatal.
    pub fn open_in_netns(ns_file: &Path) -> Result<Netlink> {
        let open = |path: &Path| {
            File::open(path).map_err(|e| NetlinkError::Netns {
                op: "open network namespace",
                path: path.to_path_buf(),
                errno: e.raw_os_error().map_or(Errno::EIO, Errno::from_raw),
            })
        };
        let original = open(Path::new(OWN_NETNS))?;
        let target = open(ns_file)?;
        setns(target.as_fd(), CloneFlags::CLONE_NEWNET).map_err(|errno| NetlinkError::Netns {
            op: "enter network namespace",
            path: ns_file.to_path_buf(),
            errno,
        })?;
        // No early return between entering and leaving: the socket's result is kept
        // until the thread is back home.
        let opened = Netlink::open();
        setns(original.as_fd(), CloneFlags::CLONE_NEWNET).map_err(|errno| NetlinkError::Netns {
            op: "return to original network namespace",
            path: OWN_NETNS.into(),
            errno,
        })?;
        opened
    }
}
