//! Forms (tui-textarea fields) for the commands with many flags: run an image, create a
//! network, create a volume. A form turns into the berth command line a user would type,
//! so it runs the CLI's own code, and a mistake is named by its field before anything
//! runs.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_textarea::TextArea;

use super::state::split_words;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    Run,
    NetworkCreate,
    VolumeCreate,
}

pub struct Field {
    pub label: &'static str,
    pub hint: &'static str,
    pub text: TextArea<'static>,
    /// One entry per line (env, volumes); Enter adds a line instead of moving on.
    pub multiline: bool,
}

pub struct Form {
    pub kind: FormKind,
    /// Shown on the form's border.
    /// The focused field's cursor style (from the theme); others show none.
    cursor: ratatui::style::Style,
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// The last validation error, shown under the fields.
    pub error: Option<String>,
}

/// What a key did to the form.
#[derive(Debug, PartialEq, Eq)]
pub enum FormOutcome {
    Editing,
    Cancelled,
    /// The command line to run.
    Submit(Vec<String>),
}

fn field(label: &'static str, hint: &'static str, value: &str, multiline: bool) -> Field {
    let mut text = TextArea::new(if value.is_empty() {
        vec![String::new()]
    } else {
        value.lines().map(str::to_string).collect()
    });
    text.set_placeholder_text(hint);
    text.move_cursor(tui_textarea::CursorMove::Bottom);
    text.move_cursor(tui_textarea::CursorMove::End);
    Field {
        label,
        hint,
        text,
        multiline,
    }
}

impl Form {
    /// `berth run -d` for `image`.
    pub fn run(image: &str) -> Form {
        Form {
            kind: FormKind::Run,
            title: format!("Run {image}"),
            fields: vec![
                field("Image", "repository[:tag] or ID", image, false),
                field("Name", "a name, or empty for a generated one", "", false),
                field("Command", "empty: the image's CMD", "", false),
                field(
                    "Ports",
                    "8080:80 127.0.0.1::53/udp (space separated)",
                    "",
                    false,
                ),
                field("Network", "empty: the default bridge", "", false),
                field("Env", "KEY=value, one per line", "", true),
                field(
                    "Volumes",
                    "name:/path or /host:/path[:ro], one per line",
                    "",
                    true,
                ),
                field("Memory", "e.g. 256m (empty: no limit)", "", false),
                field("CPUs", "e.g. 0.5 (empty: no limit)", "", false),
                field(
                    "Restart",
                    "no, on-failure[:N], always, unless-stopped",
                    "",
                    false,
                ),
            ],
            focus: 1,
            error: None,
            cursor: Default::default(),
        }
    }

    pub fn network_create() -> Form {
        Form {
            kind: FormKind::NetworkCreate,
            title: "Create a network".into(),
            fields: vec![
                field("Name", "required", "", false),
                field(
                    "Subnet",
                    "e.g. 10.20.0.0/24 (empty: picked for you)",
                    "",
                    false,
                ),
                field("Gateway", "empty: the subnet's first address", "", false),
                field("Internal", "yes: no way out of the network", "no", false),
                field("Labels", "key=value, one per line", "", true),
            ],
            focus: 0,
            error: None,
            cursor: Default::default(),
        }
    }

    pub fn volume_create() -> Form {
        Form {
            kind: FormKind::VolumeCreate,
            title: "Create a volume".into(),
            fields: vec![
                field("Name", "empty: a generated name", "", false),
                field("Labels", "key=value, one per line", "", true),
            ],
            focus: 0,
            error: None,
            cursor: Default::default(),
        }
    }

    /// Colors from the theme: text, placeholders, the cursor of the focused field.
    pub fn themed(mut self, t: &super::theme::Theme) -> Form {
        use ratatui::style::{Modifier, Style};
        self.cursor = Style::default().add_modifier(Modifier::REVERSED);
        for f in &mut self.fields {
            f.text.set_style(Style::default().fg(t.fg).bg(t.bg));
            f.text.set_placeholder_style(Style::default().fg(t.dim));
            f.text.set_cursor_line_style(Style::default());
        }
        self.restyle();
        self
    }

    fn restyle(&mut self) {
        let cursor = self.cursor;
        for (i, f) in self.fields.iter_mut().enumerate() {
            f.text.set_cursor_style(if i == self.focus {
                cursor
            } else {
                f.text.style()
            });
        }
    }

    /// The text of field `label`, trimmed; lines joined with newlines.
    pub fn value(&self, label: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.label == label)
            .map(|f| f.text.lines().join("\n").trim().to_string())
            .unwrap_or_default()
    }

    fn lines(&self, label: &str) -> Vec<String> {
        self.value(label)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }

    pub fn on_key(&mut self, k: KeyEvent) -> FormOutcome {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let n = self.fields.len();
        let multiline = self.fields[self.focus].multiline;
        match k.code {
            KeyCode::Esc => return FormOutcome::Cancelled,
            KeyCode::Char('s') if ctrl => return self.submit(),
            KeyCode::Tab | KeyCode::Down if !(multiline && k.code == KeyCode::Down) => {
                self.focus = (self.focus + 1) % n
            }
            KeyCode::BackTab | KeyCode::Up if !(multiline && k.code == KeyCode::Up) => {
                self.focus = (self.focus + n - 1) % n
            }
            KeyCode::Enter if !multiline => {
                if self.focus + 1 == n {
                    return self.submit();
                }
                self.focus += 1;
            }
            _ => {
                self.fields[self.focus].text.input(k);
            }
        }
        self.restyle();
        FormOutcome::Editing
    }

    fn submit(&mut self) -> FormOutcome {
        match self.words() {
            Ok(w) => FormOutcome::Submit(w),
            Err(e) => {
                self.error = Some(e);
                FormOutcome::Editing
            }
        }
    }

    /// The berth command line, or what is wrong, named by its field.
    pub fn words(&self) -> Result<Vec<String>, String> {
        let s = |x: &str| x.to_string();
        let mut w = Vec::new();
        match self.kind {
            FormKind::Run => {
                w.extend([s("run"), s("-d")]);
                let name = self.value("Name");
                if !name.is_empty() {
                    if name.chars().count() < 2
                        || !name
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
                    {
                        return Err(format!(
                            "Name: {name:?} must be 2 or more of [a-zA-Z0-9_.-]"
                        ));
                    }
                    w.extend([s("--name"), name]);
                }
                for p in split_words(&self.value("Ports")) {
                    w.extend([s("-p"), p]);
                }
                let net = self.value("Network");
                if !net.is_empty() {
                    w.extend([s("--network"), net]);
                }
                for e in self.lines("Env") {
                    w.extend([s("-e"), e]);
                }
                for v in self.lines("Volumes") {
                    if !v.contains(':') {
                        return Err(format!("Volumes: {v:?} needs SOURCE:DESTINATION"));
                    }
                    w.extend([s("-v"), v]);
                }
                let mem = self.value("Memory");
                if !mem.is_empty() {
                    w.extend([s("-m"), mem]);
                }
                let cpus = self.value("CPUs");
                if !cpus.is_empty() {
                    if cpus.parse::<f64>().map_or(true, |c| c <= 0.0) {
                        return Err(format!("CPUs: {cpus:?} is not a positive number"));
                    }
                    w.extend([s("--cpus"), cpus]);
                }
                let restart = self.value("Restart");
                if !restart.is_empty() {
                    w.extend([s("--restart"), restart]);
                }
                let image = self.value("Image");
                if image.is_empty() {
                    return Err("Image: required".into());
                }
                w.push(image);
                w.extend(split_words(&self.value("Command")));
            }
            FormKind::NetworkCreate => {
                let name = self.value("Name");
                if name.is_empty() {
                    return Err("Name: required".into());
                }
                w.extend([s("network"), s("create")]);
                let subnet = self.value("Subnet");
                if !subnet.is_empty() {
                    w.extend([s("--subnet"), subnet]);
                }
                let gw = self.value("Gateway");
                if !gw.is_empty() {
                    w.extend([s("--gateway"), gw]);
                }
                match self.value("Internal").to_lowercase().as_str() {
                    "" | "no" | "n" | "false" => {}
                    "yes" | "y" | "true" => w.push(s("--internal")),
                    other => return Err(format!("Internal: {other:?} is not yes or no")),
                }
                for l in self.lines("Labels") {
                    w.extend([s("--label"), l]);
                }
                w.push(name);
            }
            FormKind::VolumeCreate => {
                w.extend([s("volume"), s("create")]);
                for l in self.lines("Labels") {
                    w.extend([s("--label"), l]);
                }
                let name = self.value("Name");
                if !name.is_empty() {
                    w.push(name);
                }
            }
        }
        Ok(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(f: &mut Form, text: &str) {
        for c in text.chars() {
            let k = match c {
                '\n' => KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
                '\t' => KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE),
                c => KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
            };
            assert_eq!(f.on_key(k), FormOutcome::Editing);
        }
    }

    #[test]
    fn the_run_form_becomes_a_run_command() {
        let mut f = Form::run("demo/busybox");
        // Focus starts on Name; Enter moves on; Env takes several lines.
        typed(
            &mut f,
            "web\nhttpd -f -p 80\n8080:80 127.0.0.1::53/udp\ndemo\n",
        );
        typed(&mut f, "A=1\nB=two words\tdata:/data\t128m\t0.5\t");
        let out = f.on_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        let w: Vec<&str> = match &out {
            FormOutcome::Submit(w) => w.iter().map(String::as_str).collect(),
            o => panic!("{o:?}: {:?}", f.error),
        };
        assert_eq!(
            w,
            [
                "run",
                "-d",
                "--name",
                "web",
                "-p",
                "8080:80",
                "-p",
                "127.0.0.1::53/udp",
                "--network",
                "demo",
                "-e",
                "A=1",
                "-e",
                "B=two words",
                "-v",
                "data:/data",
                "-m",
                "128m",
                "--cpus",
                "0.5",
                "demo/busybox",
                "httpd",
                "-f",
                "-p",
                "80"
            ]
        );
    }

    #[test]
    fn mistakes_are_named_by_their_field_and_nothing_runs() {
        let mut f = Form::run("img");
        typed(&mut f, "x\n");
        let out = f.on_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        assert_eq!(out, FormOutcome::Editing);
        assert!(
            f.error.as_deref().unwrap().starts_with("Name: "),
            "{:?}",
            f.error
        );
        let mut n = Form::network_create();
        typed(&mut n, "\t10.9.0.0/24\t\tmaybe");
        n.on_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        assert_eq!(n.error.as_deref(), Some("Name: required"));
        let mut n = Form::network_create();
        typed(&mut n, "back\t10.9.0.0/24\t\t");
        // Internal holds "no"; make it yes.
        for _ in 0..2 {
            n.on_key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
        }
        typed(&mut n, "yes");
        let out = n.on_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        assert_eq!(
            out,
            FormOutcome::Submit(
                [
                    "network",
                    "create",
                    "--subnet",
                    "10.9.0.0/24",
                    "--internal",
                    "back"
                ]
                .map(String::from)
                .to_vec()
            )
        );
        let mut v = Form::volume_create();
        typed(&mut v, "cache\n");
        assert_eq!(
            v.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
            FormOutcome::Cancelled
        );
    }
}
