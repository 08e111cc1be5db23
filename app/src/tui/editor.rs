//! Editing a file in place (a Dockerfile, a compose file) in a tui-textarea. The state
//! only: the worker reads and writes the file, so the UI never waits on the disk.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_textarea::TextArea;

/// Files larger than this are not opened (an editor for configuration, not for logs).
pub const MOST_BYTES: u64 = 1 << 20;

pub struct Editor {
    pub path: String,
    pub text: TextArea<'static>,
    /// The lines as last read or saved.
    saved: Vec<String>,
    /// Esc was pressed once with unsaved changes: a second Esc discards them.
    pub warned: bool,
    /// A new file (it did not exist when opened).
    pub new: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub enum EditorOutcome {
    Editing,
    Close,
    /// Write this text to the file.
    Save(String, String),
}

impl Editor {
    pub fn new(path: &str, content: &str, new: bool, t: &super::theme::Theme) -> Editor {
        use ratatui::style::{Modifier, Style};
        let lines: Vec<String> = if content.is_empty() {
            vec![String::new()]
        } else {
            content.lines().map(str::to_string).collect()
        };
        let mut text = TextArea::new(lines.clone());
        text.set_style(Style::default().fg(t.fg).bg(t.bg));
        text.set_line_number_style(Style::default().fg(t.dim));
        text.set_cursor_line_style(Style::default().add_modifier(Modifier::UNDERLINED));
        text.set_cursor_style(Style::default().add_modifier(Modifier::REVERSED));
        Editor {
            path: path.to_string(),
            text,
            saved: lines,
            warned: false,
            new,
        }
    }

    pub fn dirty(&self) -> bool {
        self.text.lines() != self.saved.as_slice()
    }

    /// The file as it will be written: the lines, each ended by a newline.
    pub fn content(&self) -> String {
        let mut s = self.text.lines().join("\n");
        s.push('\n');
        s
    }

    /// The worker wrote `content`.
    pub fn saved(&mut self, content: &str) {
        self.saved = content.lines().map(str::to_string).collect();
        if self.saved.is_empty() {
            self.saved.push(String::new());
        }
        self.new = false;
        self.warned = false;
    }

    pub fn on_key(&mut self, k: KeyEvent) -> EditorOutcome {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        match k.code {
            KeyCode::Char('s') if ctrl => {
                return EditorOutcome::Save(self.path.clone(), self.content());
            }
            KeyCode::Esc | KeyCode::Char('q') if k.code == KeyCode::Esc || ctrl => {
                if !self.dirty() || self.warned {
                    return EditorOutcome::Close;
                }
                self.warned = true;
            }
            _ => {
                self.warned = false;
                self.text.input(k);
            }
        }
        EditorOutcome::Editing
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::theme::Theme;

    #[test]
    fn edits_save_and_unsaved_changes_need_a_second_escape() {
        let t = Theme::built_in("dark").unwrap();
        let mut e = Editor::new("Dockerfile", "FROM busybox\n", false, &t);
        assert!(!e.dirty());
        let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
        e.on_key(key(KeyCode::End));
        e.on_key(key(KeyCode::Enter));
        for c in "CMD [\"sh\"]".chars() {
            e.on_key(key(KeyCode::Char(c)));
        }
        assert!(e.dirty());
        assert_eq!(e.on_key(key(KeyCode::Esc)), EditorOutcome::Editing);
        assert!(e.warned);
        let save = e.on_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        let content = "FROM busybox\nCMD [\"sh\"]\n".to_string();
        assert_eq!(
            save,
            EditorOutcome::Save("Dockerfile".into(), content.clone())
        );
        e.saved(&content);
        assert!(!e.dirty());
        assert_eq!(e.on_key(key(KeyCode::Esc)), EditorOutcome::Close);
    }
}
