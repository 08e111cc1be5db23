//! An embedded terminal: a child process (`berth exec -it`, `berth attach`) on a pty of
//! our own, its output parsed by vt100 and drawn by tui-term inside the TUI. Keys are
//! turned back into the bytes a terminal would send; a resize of the pane resizes the
//! pty, and the kernel tells the child with SIGWINCH. The event loop owns it: it holds
//! OS handles, which the pure App state does not.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Lines kept above the screen for scrolling back.
const SCROLLBACK: usize = 1000;

pub struct EmbeddedTerm {
    pub title: String,
    parser: Arc<Mutex<vt100::Parser>>,
    writer: File,
    master: OwnedFd,
    /// Taken on drop, to be reaped off the UI thread.
    child: Option<Child>,
    /// The child's exit code once it ended.
    pub exit: Option<i32>,
    size: (u16, u16),
    /// Output arrived since the last frame.
    fresh: Arc<AtomicBool>,
}

impl EmbeddedTerm {
    /// Start `cmd` on a new pty of `rows` × `cols`.
    pub fn spawn(mut cmd: Command, title: String, rows: u16, cols: u16) -> Result<Self, String> {
        let (rows, cols) = (rows.max(2), cols.max(10));
        let pty = berth_engine::runtime::pty::open(rows, cols)?;
        let slave = |what: &str| {
            pty.slave
                .try_clone()
                .map(Stdio::from)
                .map_err(|e| format!("pty {what}: {e}"))
        };
        cmd.stdin(slave("stdin")?)
            .stdout(slave("stdout")?)
            .stderr(slave("stderr")?);
        // SAFETY: only async-signal-safe calls between fork and exec: a new session, and
        // the pty (its stdin by now) as its controlling terminal, as a terminal emulator
        // does, so the shell gets job control and SIGWINCH.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().map_err(|e| format!("start {title}: {e}"))?;
        drop(pty.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, SCROLLBACK)));
        let fresh = Arc::new(AtomicBool::new(true));
        // SAFETY: dup(2) of the master we own; the File owns the copy.
        let dup = unsafe { libc::dup(pty.master.as_raw_fd()) };
        if dup < 0 {
            return Err(format!("pty: {}", std::io::Error::last_os_error()));
        }
        // SAFETY: `dup` is a fresh descriptor nobody else owns.
        let mut reader = unsafe { File::from_raw_fd(dup) };
        let writer = pty
            .master
            .try_clone()
            .map(File::from)
            .map_err(|e| format!("pty: {e}"))?;
        {
            let parser = parser.clone();
            let fresh = fresh.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 16384];
                // EIO once the child side is closed: the session is over.
                while let Ok(n) = reader.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut p) = parser.lock() {
                        p.process(&buf[..n]);
                    }
                    fresh.store(true, Ordering::Release);
                }
                fresh.store(true, Ordering::Release);
            });
        }
        Ok(EmbeddedTerm {
            title,
            parser,
            writer,
            master: pty.master,
            child: Some(child),
            exit: None,
            size: (rows, cols),
            fresh,
        })
    }

    /// The pane is now `rows` × `cols`: resize the screen and the pty.
    pub fn resize(&mut self, rows: u16, cols: u16) {
        let (rows, cols) = (rows.max(2), cols.max(10));
        if (rows, cols) == self.size {
            return;
        }
        self.size = (rows, cols);
        if let Ok(mut p) = self.parser.lock() {
            p.set_size(rows, cols);
        }
        berth_engine::runtime::pty::set_size(self.master.as_raw_fd(), rows, cols);
    }

    /// Has output arrived (or the child ended) since the last call?
    pub fn take_fresh(&mut self) -> bool {
        let ended = self.exit.is_none() && self.poll_exit();
        self.fresh.swap(false, Ordering::AcqRel) || ended
    }

    /// True when the child has just been found to have ended.
    fn poll_exit(&mut self) -> bool {
        let Some(child) = self.child.as_mut() else {
            return false;
        };
        match child.try_wait() {
            Ok(Some(st)) => {
                use std::os::unix::process::ExitStatusExt;
                self.exit = Some(st.code().unwrap_or(128 + st.signal().unwrap_or(0)));
                true
            }
            _ => false,
        }
    }

    pub fn screen(&self) -> Option<MutexGuard<'_, vt100::Parser>> {
        self.parser.lock().ok()
    }

    /// Send a key as the bytes a terminal sends for it.
    pub fn key(&mut self, k: KeyEvent) {
        let app_cursor = self
            .screen()
            .map(|p| p.screen().application_cursor())
            .unwrap_or(false);
        let bytes = key_bytes(k, app_cursor);
        if !bytes.is_empty() {
            let _ = self.writer.write_all(&bytes);
        }
    }

    /// Text pasted or typed in one go.
    pub fn write(&mut self, data: &[u8]) {
        let _ = self.writer.write_all(data);
    }
}

impl Drop for EmbeddedTerm {
    fn drop(&mut self) {
        // Closing the master hangs the session up and the child ends; one that ignores
        // SIGHUP gets SIGKILL two seconds later. Reaped off the UI thread either way.
        let Some(mut child) = self.child.take() else {
            return;
        };
        if self.exit.is_none() {
            // SAFETY: kill(2) of our own child, not yet reaped, so its PID is still ours.
            unsafe { libc::kill(child.id() as i32, libc::SIGHUP) };
        }
        std::thread::spawn(move || {
            for _ in 0..20 {
                if !matches!(child.try_wait(), Ok(None)) {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        });
    }
}

/// The bytes a VT100-style terminal sends for a key (`app_cursor`: the application asked
/// for SS3 arrow keys, as full-screen programs do).
pub fn key_bytes(k: KeyEvent, app_cursor: bool) -> Vec<u8> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    let alt = k.modifiers.contains(KeyModifiers::ALT);
    let csi = |s: &str| format!("\x1b[{s}").into_bytes();
    let arrow = |c: char| {
        if app_cursor {
            format!("\x1bO{c}").into_bytes()
        } else {
            format!("\x1b[{c}").into_bytes()
        }
    };
    let mut out = match k.code {
        KeyCode::Char(c) if ctrl => {
            let c = c.to_ascii_lowercase();
            match c {
                'a'..='z' => vec![c as u8 - b'a' + 1],
                '@' | ' ' => vec![0],
                '[' => vec![0x1b],
                '\\' => vec![0x1c],
                ']' => vec![0x1d],
                '^' => vec![0x1e],
                '_' => vec![0x1f],
                _ => c.to_string().into_bytes(),
            }
        }
        KeyCode::Char(c) => c.to_string().into_bytes(),
        KeyCode::Enter => vec![b'\r'],
        KeyCode::Backspace => vec![0x7f],
        KeyCode::Tab => vec![b'\t'],
        KeyCode::BackTab => csi("Z"),
        KeyCode::Esc => vec![0x1b],
        KeyCode::Up => arrow('A'),
        KeyCode::Down => arrow('B'),
        KeyCode::Right => arrow('C'),
        KeyCode::Left => arrow('D'),
        KeyCode::Home => arrow('H'),
        KeyCode::End => arrow('F'),
        KeyCode::Insert => csi("2~"),
        KeyCode::Delete => csi("3~"),
        KeyCode::PageUp => csi("5~"),
        KeyCode::PageDown => csi("6~"),
        KeyCode::F(n @ 1..=4) => format!("\x1bO{}", (b'P' + n - 1) as char).into_bytes(),
        KeyCode::F(n @ 5..=12) => {
            let code = [15, 17, 18, 19, 20, 21, 23, 24][(n - 5) as usize];
            csi(&format!("{code}~"))
        }
        _ => Vec::new(),
    };
    if alt && !out.is_empty() {
        out.insert(0, 0x1b);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn keys_become_terminal_bytes() {
        let none = KeyModifiers::NONE;
        assert_eq!(key_bytes(k(KeyCode::Char('a'), none), false), b"a");
        assert_eq!(
            key_bytes(k(KeyCode::Char('c'), KeyModifiers::CONTROL), false),
            [3]
        );
        assert_eq!(
            key_bytes(k(KeyCode::Char('x'), KeyModifiers::ALT), false),
            b"\x1bx"
        );
        assert_eq!(key_bytes(k(KeyCode::Enter, none), false), b"\r");
        assert_eq!(key_bytes(k(KeyCode::Up, none), false), b"\x1b[A");
        assert_eq!(key_bytes(k(KeyCode::Up, none), true), b"\x1bOA");
        assert_eq!(key_bytes(k(KeyCode::PageDown, none), false), b"\x1b[6~");
        assert_eq!(key_bytes(k(KeyCode::F(1), none), false), b"\x1bOP");
        assert_eq!(key_bytes(k(KeyCode::F(5), none), false), b"\x1b[15~");
    }

    #[test]
    fn a_shell_on_the_pty_echoes_and_sees_its_size() {
        let mut cmd = Command::new("/bin/sh");
        cmd.env("PS1", "$ ").env("TERM", "xterm");
        let mut t = EmbeddedTerm::spawn(cmd, "sh".into(), 10, 40).unwrap();
        t.write(b"stty size; echo HELLO-$((40+2))\r");
        let seen = |t: &EmbeddedTerm, what: &str| {
            (0..100).any(|_| {
                std::thread::sleep(std::time::Duration::from_millis(30));
                t.screen().unwrap().screen().contents().contains(what)
            })
        };
        assert!(
            seen(&t, "HELLO-42"),
            "{}",
            t.screen().unwrap().screen().contents()
        );
        assert!(seen(&t, "10 40"));
        t.resize(12, 50);
        t.write(b"stty size\r");
        assert!(seen(&t, "12 50"));
        t.write(b"exit 3\r");
        assert!((0..100).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(30));
            t.take_fresh();
            t.exit.is_some()
        }));
        assert_eq!(t.exit, Some(3));
    }
}
