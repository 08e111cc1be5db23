//! The client side of attach: copy the container's output to our stdout/stderr and our
//! stdin to the container, until the container exits (its code becomes ours) or the user
//! detaches with ctrl-p ctrl-q.

use std::io::Write;
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;

use berth_engine::container::attach::{encode, Decoder, Kind};
use berth_engine::runtime::pty::{get_size, RawMode};
use nix::sys::signal::{SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};

use super::CliResult;

/// What a client attaches to and how it detaches.
#[derive(Debug, Clone)]
pub struct AttachOpts {
    /// Send our stdin to the container.
    pub stdin: bool,
    /// Print the container's stdout / stderr (`-a` may leave one out).
    pub stdout: bool,
    pub stderr: bool,
    pub tty: bool,
    /// The container's main process, for signal proxying.
    pub pid: i32,
    pub sig_proxy: bool,
    /// `--detach-keys`, as bytes (ctrl-p ctrl-q unless given).
    pub detach_keys: Vec<u8>,
}

impl AttachOpts {
    /// Both output streams, the default detach keys.
    pub fn new(stdin: bool, tty: bool, pid: i32, sig_proxy: bool) -> AttachOpts {
        AttachOpts {
            stdin,
            stdout: true,
            stderr: true,
            tty,
            pid,
            sig_proxy,
            detach_keys: super::detach_keys::DEFAULT.to_vec(),
        }
    }

    /// With `--detach-keys` if given (already checked by the caller's flag parsing).
    pub fn detach_keys(mut self, keys: Option<&str>) -> Result<AttachOpts, super::Failure> {
        if let Some(k) = keys {
            self.detach_keys = super::detach_keys::parse(k).map_err(|m| super::Failure {
                code: 125,
                message: m,
            })?;
        }
        Ok(self)
    }
}

/// Signals the CLI passes on to the container's main process (Docker's --sig-proxy).
const PROXIED: &[Signal] = &[
    Signal::SIGINT,
    Signal::SIGTERM,
    Signal::SIGHUP,
    Signal::SIGQUIT,
    Signal::SIGUSR1,
    Signal::SIGUSR2,
];

/// Block the proxied signals and read them from a signalfd instead, so the poll loop
/// sees them as data.
fn proxy_signals() -> Option<SignalFd> {
    let mut set = SigSet::empty();
    for s in PROXIED {
        set.add(*s);
    }
    set.thread_block().ok()?;
    SignalFd::with_flags(&set, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC).ok()
}

/// `sig_proxy`: pass SIGINT, SIGTERM, SIGHUP... on to the container, as Docker does by
/// default; without it they end only this client (the TUI's attach pane).
pub fn run(mut stream: UnixStream, o: AttachOpts) -> CliResult {
    let (stdin, tty, pid) = (o.stdin, o.tty, o.pid);
    let mut sigfd = if o.sig_proxy { proxy_signals() } else { None };
    let _raw = if tty && stdin {
        RawMode::enter(0)
    } else {
        None
    };
    let mut last_size = None;
    let send_size = |s: &mut UnixStream, last: &mut Option<(u16, u16)>| {
        if tty {
            if let Some(sz) = get_size(1).or_else(|| get_size(0)) {
                if Some(sz) != *last {
                    *last = Some(sz);
                    let mut p = sz.0.to_be_bytes().to_vec();
                    p.extend_from_slice(&sz.1.to_be_bytes());
                    let _ = s.write_all(&encode(Kind::Resize, &p));
                }
            }
        }
    };
    send_size(&mut stream, &mut last_size);
    let mut decoder = Decoder::default();
    let mut stdin_open = stdin;
    let mut detach = super::detach_keys::Matcher::new(o.detach_keys.clone());
    let mut buf = vec![0u8; 64 * 1024];
    let out = std::io::stdout();
    let err = std::io::stderr();
    loop {
        let mut fds = vec![libc::pollfd {
            fd: stream.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        }];
        fds.push(libc::pollfd {
            fd: sigfd.as_ref().map(|f| f.as_raw_fd()).unwrap_or(-1),
            events: libc::POLLIN,
            revents: 0,
        });
        if stdin_open {
            fds.push(libc::pollfd {
                fd: 0,
                events: libc::POLLIN,
                revents: 0,
            });
        }
        // Wake now and then to pass on terminal size changes.
        // SAFETY: valid pollfd array.
        let n = unsafe {
            libc::poll(
                fds.as_mut_ptr(),
                fds.len() as libc::nfds_t,
                if tty { 250 } else { -1 },
            )
        };
        if n < 0 {
            continue;
        }
        send_size(&mut stream, &mut last_size);
        if fds[0].revents != 0 {
            let n = std::io::Read::read(&mut stream, &mut buf).unwrap_or(0);
            if n == 0 {
                // The monitor went away without an exit frame.
                return Ok(137);
            }
            decoder.push(&buf[..n]);
            while let Ok(Some((kind, data))) = decoder.next_frame() {
                match kind {
                    Kind::Stdout if o.stdout => {
                        let mut w = out.lock();
                        let _ = w.write_all(&data);
                        let _ = w.flush();
                    }
                    Kind::Stderr if o.stderr => {
                        let _ = err.lock().write_all(&data);
                    }
                    Kind::Exit if data.len() == 4 => {
                        return Ok(i32::from_be_bytes([data[0], data[1], data[2], data[3]])
                            .clamp(0, 255) as u8);
                    }
                    Kind::Error => {
                        return Err(super::Failure {
                            code: 125,
                            message: String::from_utf8_lossy(&data).into_owned(),
                        });
                    }
                    _ => {}
                }
            }
        }
        if fds[1].revents != 0 {
            if let Some(Ok(Some(info))) = sigfd.as_mut().map(|f| f.read_signal()) {
                if let Ok(sig) = Signal::try_from(info.ssi_signo as i32) {
                    if pid > 0 {
                        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), sig);
                    }
                }
            }
        }
        if stdin_open && fds.get(2).is_some_and(|f| f.revents != 0) {
            let n = nix::unistd::read(0, &mut buf).unwrap_or(0);
            if n == 0 {
                stdin_open = false;
                let _ = stream.write_all(&encode(Kind::StdinEof, &[]));
                continue;
            }
            if tty {
                // The detach keys (ctrl-p ctrl-q by default) leave the container running.
                for &b in &buf[..n] {
                    if detach.feed(b) {
                        drop(_raw);
                        eprintln!("\r\nread escape sequence");
                        return Ok(0);
                    }
                }
            }
            let _ = stream.write_all(&encode(Kind::Stdin, &buf[..n]));
        }
    }
}
