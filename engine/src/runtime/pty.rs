//! Pseudo-terminals for `-t` containers and `exec -t`: open a pair, size it, and put the
//! caller's terminal in raw mode for the length of an interactive session.

use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use nix::pty::{openpty, Winsize};
use nix::sys::termios::{cfmakeraw, tcgetattr, tcsetattr, SetArg, Termios};

pub struct Pty {
    pub master: OwnedFd,
    pub slave: OwnedFd,
}

pub fn open(rows: u16, cols: u16) -> Result<Pty, String> {
    let ws = Winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    let p = openpty(Some(&ws), None).map_err(|e| format!("openpty: {}", e.desc()))?;
    for fd in [&p.master, &p.slave] {
        let _ = nix::fcntl::fcntl(
            fd.as_raw_fd(),
            nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
        );
    }
    Ok(Pty {
        master: p.master,
        slave: p.slave,
    })
}

pub fn set_size(fd: RawFd, rows: u16, cols: u16) {
    let ws = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCSWINSZ with a valid winsize on an fd we hold.
    unsafe { libc::ioctl(fd, libc::TIOCSWINSZ, &ws) };
}

/// Size of the terminal on `fd`, if it is one.
pub fn get_size(fd: RawFd) -> Option<(u16, u16)> {
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: TIOCGWINSZ writes into the winsize we own.
    let rc = unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut ws) };
    (rc == 0 && ws.ws_row > 0).then_some((ws.ws_row, ws.ws_col))
}

/// Puts a terminal in raw mode and restores it when dropped (also on early return).
pub struct RawMode {
    fd: RawFd,
    saved: Termios,
}

impl RawMode {
    pub fn enter(fd: RawFd) -> Option<RawMode> {
        let bfd = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
        let saved = tcgetattr(bfd).ok()?;
        let mut raw = saved.clone();
        cfmakeraw(&mut raw);
        tcsetattr(bfd, SetArg::TCSANOW, &raw).ok()?;
        Some(RawMode { fd, saved })
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let bfd = unsafe { std::os::fd::BorrowedFd::borrow_raw(self.fd) };
        let _ = tcsetattr(bfd, SetArg::TCSANOW, &self.saved);
    }
}

/// A new pty from the devpts instance whose multiplexer is `ptmx` — for a container,
/// its own `/dev/pts/ptmx`, so the slave has a name inside the container (`tty` works).
pub fn open_in(ptmx: &std::path::Path, rows: u16, cols: u16) -> Result<Pty, String> {
    use nix::fcntl::{open, OFlag};
    use nix::sys::stat::Mode;
    use std::os::fd::FromRawFd;
    let flags = OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC;
    let m = open(ptmx, flags, Mode::empty())
        .map_err(|e| format!("open {}: {}", ptmx.display(), e.desc()))?;
    // SAFETY: open returned a fresh fd.
    let master = unsafe { OwnedFd::from_raw_fd(m) };
    let unlock: libc::c_int = 0;
    // SAFETY: ioctls on the master we own, with the argument types the kernel expects.
    let s = unsafe {
        libc::ioctl(master.as_raw_fd(), libc::TIOCSPTLCK, &unlock);
        libc::ioctl(
            master.as_raw_fd(),
            libc::TIOCGPTPEER,
            (libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC) as libc::c_ulong,
        )
    };
    if s < 0 {
        return Err(format!(
            "open pty peer of {}: {}",
            ptmx.display(),
            std::io::Error::last_os_error()
        ));
    }
    // SAFETY: TIOCGPTPEER returned a fresh fd.
    let slave = unsafe { OwnedFd::from_raw_fd(s) };
    set_size(master.as_raw_fd(), rows, cols);
    Ok(Pty { master, slave })
}

/// The N of `/dev/pts/N` for a master.
pub fn number(master: RawFd) -> Option<u32> {
    let mut n: libc::c_uint = 0;
    // SAFETY: TIOCGPTN writes an unsigned int.
    (unsafe { libc::ioctl(master, libc::TIOCGPTN, &mut n) } == 0).then_some(n)
}
