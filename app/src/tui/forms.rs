//! Forms (tui-textarea fields) for the operations with many options: run an image,
//! create a network, create a volume. A form turns into a typed operation for the worker
//! (form_values.rs), and a mistake is named by its field before anything runs.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_textarea::TextArea;

use super::form_values::{self, Fields};
use super::ops::Op;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    Run,
    NetworkCreate,
    VolumeCreate,
    Build,
    /// A swarm service's replica count (service_forms.rs).
    ServiceScale,
    /// A swarm service's rolling update: its image and env (service_forms.rs).
    ServiceUpdate,
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
    /// The focused field's cursor style (from the theme); others show none.
    cursor: ratatui::style::Style,
    /// What the form acts on, when it is not in its fields: a service's (ID, name).
    pub subject: Option<(String, String)>,
    /// Shown on the form's border.
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// The last validation error, shown under the fields.
    pub error: Option<String>,
}

/// What a key did to the form.
#[derive(Debug, PartialEq)]
pub enum FormOutcome {
    Editing,
    Cancelled,
    /// The operation to ask of the worker.
    Submit(Box<Op>),
}

pub(crate) fn field(
    label: &'static str,
    hint: &'static str,
    value: &str,
    multiline: bool,
) -> Field {
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
    /// A form of `kind` with these fields, the keys starting on field `focus`.
    pub(crate) fn new(kind: FormKind, title: String, fields: Vec<Field>, focus: usize) -> Form {
        Form {
            kind,
            title,
            fields,
            focus,
            error: None,
            cursor: Default::default(),
            subject: None,
        }
    }

    /// `run -d` of `image`.
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
            subject: None,
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
            subject: None,
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
            subject: None,
        }
    }

    /// `build` of a context directory (the editor's file's folder, or the current one).
    pub fn build(context: &str, dockerfile: &str) -> Form {
        Form {
            kind: FormKind::Build,
            title: "Build an image".into(),
            fields: vec![
                field("Context", "the directory the build reads", context, false),
                field(
                    "Dockerfile",
                    "its path, inside the context or not",
                    dockerfile,
                    false,
                ),
                field(
                    "Tags",
                    "name:tag (space separated; empty: untagged)",
                    "",
                    false,
                ),
                field("No cache", "yes: run every step again", "no", false),
            ],
            focus: 2,
            error: None,
            cursor: Default::default(),
            subject: None,
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
        match self.op() {
            Ok(op) => FormOutcome::Submit(Box::new(op)),
            Err(e) => {
                self.error = Some(e);
                FormOutcome::Editing
            }
        }
    }

    /// The operation the form asks for, or what is wrong, named by its field.
    pub fn op(&self) -> Result<Op, String> {
        match self.kind {
            FormKind::Run => form_values::run(self),
            FormKind::NetworkCreate => form_values::network(self),
            FormKind::VolumeCreate => form_values::volume(self),
            FormKind::Build => form_values::build(self),
            FormKind::ServiceScale => super::service_forms::scale(self),
            FormKind::ServiceUpdate => super::service_forms::update(self),
        }
    }
}

impl Fields for Form {
    /// The text of field `label`, trimmed; lines joined with newlines.
    fn value(&self, label: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.label == label)
            .map(|f| f.text.lines().join("\n").trim().to_string())
            .unwrap_or_default()
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

    fn submitted(f: &mut Form) -> Op {
        match f.on_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)) {
            FormOutcome::Submit(op) => *op,
            o => panic!("{o:?}: {:?}", f.error),
        }
    }

    #[test]
    fn the_run_form_becomes_a_create_body() {
        let mut f = Form::run("demo/busybox");
        // Focus starts on Name; Enter moves on; Env takes several lines.
        typed(
            &mut f,
            "web\nhttpd -f -p 80\n8080:80 127.0.0.1::53/udp\ndemo\n",
        );
        typed(
            &mut f,
            "A=1\nB=two words\tdata:/data\t128m\t0.5\ton-failure:2",
        );
        let Op::Run { name, body } = submitted(&mut f) else {
            panic!("not a run")
        };
        assert_eq!(name.as_deref(), Some("web"));
        assert_eq!(body.image.as_deref(), Some("demo/busybox"));
        let cmd = body.cmd.clone().unwrap();
        assert_eq!(cmd, ["httpd", "-f", "-p", "80"]);
        assert_eq!(body.env.clone().unwrap(), ["A=1", "B=two words"]);
        let hc = body.host_config.clone().unwrap();
        assert_eq!(hc.network_mode.as_deref(), Some("demo"));
        assert_eq!(hc.binds.unwrap(), ["data:/data"]);
        assert_eq!(hc.memory, Some(128 << 20));
        assert_eq!(hc.nano_cpus, Some(500_000_000));
        assert_eq!(hc.restart_policy.unwrap().maximum_retry_count, Some(2));
        let ports = hc.port_bindings.unwrap();
        let b = ports["80/tcp"].as_ref().unwrap();
        assert_eq!(b[0].host_port.as_deref(), Some("8080"));
        let b = ports["53/udp"].as_ref().unwrap();
        assert_eq!(b[0].host_ip.as_deref(), Some("127.0.0.1"));
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
        typed(&mut n, "yes\tteam=a");
        let Op::CreateNetwork(req) = submitted(&mut n) else {
            panic!("not a network")
        };
        assert_eq!(req.name, "back");
        assert_eq!(req.internal, Some(true));
        let ipam = req.ipam.clone().unwrap().config.unwrap();
        assert_eq!(ipam[0].subnet.as_deref(), Some("10.9.0.0/24"));
        assert_eq!(ipam[0].gateway, None);
        assert_eq!(req.labels.clone().unwrap()["team"], "a");
        let mut v = Form::volume_create();
        typed(&mut v, "cache\t");
        let Op::CreateVolume(req) = submitted(&mut v) else {
            panic!("not a volume")
        };
        assert_eq!(req.name.as_deref(), Some("cache"));
        let mut v = Form::volume_create();
        assert_eq!(
            v.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
            FormOutcome::Cancelled
        );
    }
}
