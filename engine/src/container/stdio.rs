//! The container's stdio as its monitor holds it: pipes for plain containers, the pty
//! master (sent by the init) for `-t` ones, all non-blocking for the monitor's poll loop.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use super::model::ContainerRecord;
use crate::runtime::init::ChildIo;

/// The container's ends of its stdio as the monitor holds them while it runs.
pub struct Streams {
    /// stdout (or the pty master) and stderr, read side.
    pub out: Vec<(OwnedFd, usize)>,
    /// Where client input goes: stdin pipe or the pty master.
    pub stdin: Option<OwnedFd>,
    pub stdin_buf: Vec<u8>,
    /// The client ended its input: close the container's stdin once `stdin_buf` is written.
    pub stdin_eof: bool,
    pub tty_master: Option<RawFd>,
}

pub type StdioSetup = (ChildIo, Streams, Vec<OwnedFd>);

pub fn make_stdio(rec: &ContainerRecord) -> Result<StdioSetup, String> {
    if rec.config.tty {
        // The init makes the pty inside the container; `attach_pty` fills the streams in.
        let io = ChildIo {
            stdin: -1,
            stdout: -1,
            stderr: -1,
            tty: true,
            pty_socket: -1,
        };
        let streams = Streams {
            out: Vec::new(),
            stdin: None,
            stdin_buf: Vec::new(),
            stdin_eof: false,
            tty_master: None,
        };
        return Ok((io, streams, Vec::new()));
    }
    let pipe = || {
        nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {}", e.desc()))
    };
    let (out_r, out_w) = pipe()?;
    let (err_r, err_w) = pipe()?;
    set_nonblocking(out_r.as_raw_fd());
    set_nonblocking(err_r.as_raw_fd());
    let (stdin_child, stdin_parent) = if rec.config.open_stdin {
        let (r, w) = pipe()?;
        set_nonblocking(w.as_raw_fd());
        (r, Some(w))
    } else {
        let f = std::fs::File::open("/dev/null").map_err(|e| format!("open /dev/null: {e}"))?;
        (OwnedFd::from(f), None)
    };
    let io = ChildIo {
        pty_socket: -1,
        stdin: stdin_child.as_raw_fd(),
        stdout: out_w.as_raw_fd(),
        stderr: err_w.as_raw_fd(),
        tty: false,
    };
    let streams = Streams {
        out: vec![(out_r, 0), (err_r, 1)],
        stdin: stdin_parent,
        stdin_buf: Vec::new(),
        stdin_eof: false,
        tty_master: None,
    };
    Ok((io, streams, vec![stdin_child, out_w, err_w]))
}

/// Use the pty master the init sent as the container's output and input.
pub fn attach_pty(st: &mut Streams, master: OwnedFd) -> Result<(), String> {
    let raw = master.as_raw_fd();
    set_nonblocking(raw);
    let input = nix::unistd::dup(raw).map_err(|e| format!("dup: {}", e.desc()))?;
    // SAFETY: dup returned a fresh fd we now own.
    st.stdin = Some(unsafe { OwnedFd::from_raw_fd(input) });
    st.tty_master = Some(raw);
    st.out = vec![(master, 0)];
    Ok(())
}

pub fn set_nonblocking(fd: RawFd) {
    use nix::fcntl::{fcntl, FcntlArg, OFlag};
    if let Ok(flags) = fcntl(fd, FcntlArg::F_GETFL) {
        let _ = fcntl(
            fd,
            FcntlArg::F_SETFL(OFlag::from_bits_truncate(flags) | OFlag::O_NONBLOCK),
        );
    }
}
