//! An embedded terminal: an exec or attach session of the engine interface on a tty,
//! its output parsed by vt100 and drawn by tui-term inside the TUI. Keys are turned back
//! into the bytes a terminal would send; a resize of the pane resizes the session's tty
//! through the interface. The worker's runtime runs the session (`worker::session`)
//! with the other ends of the channels made here; the event loop owns this end, and
//! dropping it ends the session (an attach detaches, an exec's shell is hung up).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::{mpsc, watch};

/// Lines kept above the screen for scrolling back.
const SCROLLBACK: usize = 1000;

pub struct EmbeddedTerm {
    pub title: String,
    parser: Arc<Mutex<vt100::Parser>>,
    input: mpsc::UnboundedSender<Vec<u8>>,
    size: watch::Sender<(u16, u16)>,
    ended: Arc<Mutex<Option<i32>>>,
    /// The session's exit code once it ended.
    pub exit: Option<i32>,
    /// Output arrived since the last frame.
    fresh: Arc<AtomicBool>,
}

/// The session's end of an embedded terminal: where output is drawn, what the user
/// typed, the pane's size, and where the exit code goes.
pub struct TermEnds {
    pub parser: Arc<Mutex<vt100::Parser>>,
    pub fresh: Arc<AtomicBool>,
    pub input: mpsc::UnboundedReceiver<Vec<u8>>,
    pub size: watch::Receiver<(u16, u16)>,
    pub ended: Arc<Mutex<Option<i32>>>,
}

impl TermEnds {
    /// Draw `bytes` as the session's output.
    pub fn show(&self, bytes: &[u8]) {
        if let Ok(mut p) = self.parser.lock() {
            p.process(bytes);
        }
        self.fresh.store(true, Ordering::Release);
    }

    /// The session is over with this code.
    pub fn end(&self, code: i32) {
        if let Ok(mut e) = self.ended.lock() {
            *e = Some(code);
        }
        self.fresh.store(true, Ordering::Release);
    }
}

impl EmbeddedTerm {
    /// A terminal of `rows` x `cols`, and the ends its session is run with.
    pub fn new(title: String, rows: u16, cols: u16) -> (Self, TermEnds) {
        let (rows, cols) = (rows.max(2), cols.max(10));
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, SCROLLBACK)));
        let fresh = Arc::new(AtomicBool::new(true));
        let ended = Arc::new(Mutex::new(None));
        let (input, input_rx) = mpsc::unbounded_channel();
        let (size, size_rx) = watch::channel((rows, cols));
        let ends = TermEnds {
            parser: parser.clone(),
            fresh: fresh.clone(),
            input: input_rx,
            size: size_rx,
            ended: ended.clone(),
        };
        let term = EmbeddedTerm {
            title,
            parser,
            input,
            size,
            ended,
            exit: None,
            fresh,
        };
        (term, ends)
    }

    /// The pane is now `rows` x `cols`: resize the screen and the session's tty.
    pub fn resize(&mut self, rows: u16, cols: u16) {
        let (rows, cols) = (rows.max(2), cols.max(10));
        if *self.size.borrow() == (rows, cols) {
            return;
        }
        if let Ok(mut p) = self.parser.lock() {
            p.set_size(rows, cols);
        }
        let _ = self.size.send((rows, cols));
    }

    /// Has output arrived (or the session ended) since the last call?
    pub fn take_fresh(&mut self) -> bool {
        if self.exit.is_none() {
            self.exit = self.ended.lock().ok().and_then(|e| *e);
        }
        self.fresh.swap(false, Ordering::AcqRel)
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
            let _ = self.input.send(bytes);
        }
    }

    /// Text pasted or typed in one go.
    pub fn write(&mut self, data: &[u8]) {
        let _ = self.input.send(data.to_vec());
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

    #[test]
    fn the_session_end_draws_and_the_term_sees_keys_sizes_and_the_exit() {
        let (mut t, mut ends) = EmbeddedTerm::new("exec web".into(), 10, 40);
        assert!(t.take_fresh());
        ends.show(b"hello\r\n");
        assert!(t.take_fresh());
        assert!(t.screen().unwrap().screen().contents().contains("hello"));
        t.write(b"ls\r");
        t.key(KeyEvent::new(KeyCode::Up, KeyModifiers::NONE));
        assert_eq!(ends.input.try_recv().unwrap(), b"ls\r");
        assert_eq!(ends.input.try_recv().unwrap(), b"\x1b[A");
        t.resize(12, 50);
        assert_eq!(*ends.size.borrow_and_update(), (12, 50));
        assert_eq!(t.screen().unwrap().screen().size(), (12, 50));
        assert_eq!(t.exit, None);
        ends.end(3);
        assert!(t.take_fresh());
        assert_eq!(t.exit, Some(3));
        drop(t);
        assert!(
            ends.input.try_recv().is_err(),
            "the session sees the pane close"
        );
    }

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
}
