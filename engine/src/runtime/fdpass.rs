//! Passing a file descriptor over a unix socket (SCM_RIGHTS): the container's init makes
//! its pty inside the container's own devpts and hands the master to the monitor.

use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

use nix::sys::socket::{recvmsg, sendmsg, ControlMessage, ControlMessageOwned, MsgFlags};

pub fn send_fd(sock: RawFd, fd: RawFd) -> Result<(), String> {
    let fds = [fd];
    let cmsg = [ControlMessage::ScmRights(&fds)];
    let iov = [IoSlice::new(b"F")];
    sendmsg::<()>(sock, &iov, &cmsg, MsgFlags::empty(), None)
        .map_err(|e| format!("send pty to monitor: {}", e.desc()))?;
    Ok(())
}

/// Receive one fd; `None` when the peer closed the socket without sending one.
pub fn recv_fd(sock: RawFd) -> Option<OwnedFd> {
    let mut buf = [0u8; 1];
    let mut iov = [IoSliceMut::new(&mut buf)];
    let mut space = nix::cmsg_space!([RawFd; 1]);
    let msg = recvmsg::<()>(sock, &mut iov, Some(&mut space), MsgFlags::MSG_CMSG_CLOEXEC).ok()?;
    for c in msg.cmsgs().ok()? {
        if let ControlMessageOwned::ScmRights(fds) = c {
            // SAFETY: the kernel installed these fds in our table for us.
            return fds.first().map(|fd| unsafe { OwnedFd::from_raw_fd(*fd) });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::os::fd::AsRawFd;

    #[test]
    fn an_fd_crosses_a_socket() {
        let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
        let (mut r, w) = std::os::unix::net::UnixStream::pair().unwrap();
        super::send_fd(a.as_raw_fd(), w.as_raw_fd()).unwrap();
        drop(w);
        let got = super::recv_fd(b.as_raw_fd()).unwrap();
        let mut w2 = std::os::unix::net::UnixStream::from(got);
        w2.write_all(b"hi").unwrap();
        drop(w2);
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!(s, "hi");
        drop(a);
        assert!(super::recv_fd(b.as_raw_fd()).is_none());
    }
}
