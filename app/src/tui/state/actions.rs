//! The keys that act: lifecycle actions on the selected or marked containers (asking
//! first where Docker users would want it), and the keys on containers' networks and
//! names, images, networks and volumes, which ask the worker for typed operations.

use super::*;

impl App {
    pub(super) fn action_for(&self, c: char) -> Option<Action> {
        self.selected_container()?;
        match c {
            's' => Some(Action::Start),
            'x' => Some(Action::Stop),
            'r' => Some(Action::Restart),
            'K' => Some(Action::Kill),
            'p' => Some(Action::Pause),
            'd' => Some(Action::Remove),
            _ => None,
        }
    }

    /// The containers a lifecycle key acts on: the marked ones (in list order), else the
    /// selected project's or the selected one. (id, name, state)
    pub(super) fn targets(&self) -> Vec<(String, String, String)> {
        let list = self.containers();
        let marked: Vec<_> = list
            .iter()
            .filter(|c| self.marked.contains(&c.id))
            .map(|c| (c.id.clone(), c.name.clone(), c.state.clone()))
            .collect();
        if !marked.is_empty() {
            return marked;
        }
        // A project's header: each of its containers.
        if let Some(g) = self.selected_project() {
            return g
                .members
                .iter()
                .filter_map(|&i| self.snap.containers.get(i))
                .map(|c| (c.id.clone(), c.name.clone(), c.state.clone()))
                .collect();
        }
        self.selected_container()
            .map(|c| vec![(c.id.clone(), c.name.clone(), c.state.clone())])
            .unwrap_or_default()
    }

    /// Remove and kill ask first; the rest go at once. `p` pauses each running one and
    /// unpauses each paused one.
    pub(super) fn ask(&mut self, a: Action) -> Vec<Request> {
        let targets = self.targets();
        let Some(first) = targets.first() else {
            return Vec::new();
        };
        let what = if targets.len() == 1 {
            first.1.clone()
        } else {
            format!("{} containers", targets.len())
        };
        let reqs: Vec<Request> = targets
            .iter()
            .map(|(id, name, state)| {
                let a = match a {
                    Action::Pause if state == "paused" => Action::Unpause,
                    a => a,
                };
                Request::Act(a, id.clone(), name.clone())
            })
            .collect();
        if matches!(a, Action::Remove | Action::Kill) {
            self.message = format!("{} {what}? y/n", a.verb());
            if matches!(a, Action::Remove) {
                for (id, ..) in &targets {
                    self.stopping.remove(id);
                }
            }
            self.confirm = Some(reqs);
            return Vec::new();
        }
        if matches!(a, Action::Stop | Action::Restart) {
            for (id, ..) in &targets {
                self.stopping.insert(id.clone(), Instant::now());
            }
        }
        self.busy += reqs.len();
        self.message = format!("{} {what}...", a.verb());
        reqs
    }

    /// Ask the worker for `op` now.
    pub(super) fn start_op(&mut self, op: Op) -> Vec<Request> {
        match &op {
            Op::Build { .. } => {
                self.build = Some(super::BuildView {
                    title: op.describe(),
                    ..Default::default()
                })
            }
            Op::Pull(_) | Op::Push(_) => {
                self.transfer = Some(super::TransferView {
                    title: op.describe(),
                    ..Default::default()
                })
            }
            _ => {}
        }
        self.busy += 1;
        self.message = format!("{}...", op.describe());
        vec![Request::Do(op)]
    }

    /// Ask first; y asks the worker for `op`.
    pub(super) fn confirm_op(&mut self, op: Op) -> Vec<Request> {
        self.message = format!("{}? y/n", op.describe());
        self.confirm = Some(vec![Request::Do(op)]);
        Vec::new()
    }

    /// Keys on the selected container's networks and name, and on images, networks and
    /// volumes.
    pub(super) fn object_key(&mut self, c: char) -> Vec<Request> {
        match (self.tab, c) {
            (Tab::Containers, 'n' | 'N') => {
                let Some(ctr) = self.selected_container() else {
                    return Vec::new();
                };
                let (id, name, on) = (ctr.id.clone(), ctr.name.clone(), ctr.networks.clone());
                let items: Vec<String> = if c == 'n' {
                    self.snap
                        .networks
                        .iter()
                        .map(|n| n.name.clone())
                        .filter(|n| !on.contains(n) && n != "host" && n != "none")
                        .collect()
                } else {
                    on
                };
                if items.is_empty() {
                    self.message = format!("{name}: no network to choose");
                    return Vec::new();
                }
                let (then, title) = if c == 'n' {
                    let title = format!("connect {name} to");
                    (PickFor::Connect { id, name }, title)
                } else {
                    let title = format!("disconnect {name} from");
                    (PickFor::Disconnect { id, name }, title)
                };
                self.picker = Some(Picker {
                    title,
                    items,
                    labels: Vec::new(),
                    selected: 0,
                    then,
                });
                Vec::new()
            }
            (Tab::Containers, 'c') => {
                if let Some(ctr) = self.selected_container() {
                    self.input = Some(Input {
                        prompt: format!("commit {} as (repository[:tag])", ctr.name),
                        text: String::new(),
                        then: InputFor::Commit {
                            id: ctr.id.clone(),
                            name: ctr.name.clone(),
                        },
                    });
                }
                Vec::new()
            }
            (t, 'i') if t.per_container() => match self.selected_container() {
                Some(ctr) => {
                    let id = ctr.id.clone();
                    self.busy += 1;
                    vec![Request::Show(Show::Inspect { id })]
                }
                None => Vec::new(),
            },
            (t, 'l') if t.per_container() => {
                self.tab = Tab::Logs;
                Vec::new()
            }
            (Tab::Images, 't') => match crate::tui::panes::image_at(self, self.selection()) {
                Some(r) => {
                    self.input = Some(Input {
                        prompt: format!("tag {r} as"),
                        text: String::new(),
                        then: InputFor::Tag { image: r },
                    });
                    Vec::new()
                }
                None => Vec::new(),
            },
            (_, 'F') => {
                self.input = Some(Input {
                    prompt: "edit file".into(),
                    text: "Dockerfile".into(),
                    then: InputFor::EditFile,
                });
                Vec::new()
            }
            (Tab::Networks, 'c') => {
                self.form = Some(Form::network_create().themed(&self.theme));
                Vec::new()
            }
            (Tab::Volumes, 'c') => {
                self.form = Some(Form::volume_create().themed(&self.theme));
                Vec::new()
            }
            (Tab::Images, 'b') => {
                if self.build.as_ref().is_some_and(|b| b.outcome.is_none()) {
                    self.message = "a build is running".into();
                    return Vec::new();
                }
                // From the file last edited (a Dockerfile, say), else from here.
                let (context, dockerfile) = match self.last_file.as_deref() {
                    Some(f) => {
                        let p = std::path::Path::new(f);
                        let dir = p
                            .parent()
                            .filter(|d| !d.as_os_str().is_empty())
                            .map(|d| d.display().to_string())
                            .unwrap_or_else(|| ".".into());
                        (dir, f.to_string())
                    }
                    None => (".".to_string(), "Dockerfile".to_string()),
                };
                self.form = Some(Form::build(&context, &dockerfile).themed(&self.theme));
                Vec::new()
            }
            (Tab::Images, 'P') => {
                self.input = Some(Input {
                    prompt: "pull image".into(),
                    text: String::new(),
                    then: InputFor::Pull,
                });
                Vec::new()
            }
            (Tab::Images, 'U') => match crate::tui::panes::image_at(self, self.selection()) {
                Some(r) if !r.starts_with("sha256:") => self.confirm_op(Op::Push(r)),
                Some(_) => {
                    self.message = "push needs a tagged image (t tags it)".into();
                    Vec::new()
                }
                None => Vec::new(),
            },
            (Tab::Images, 'H') => match crate::tui::panes::image_at(self, self.selection()) {
                Some(r) => {
                    self.busy += 1;
                    vec![Request::Show(Show::History { image: r })]
                }
                None => Vec::new(),
            },
            (Tab::Containers, 'R') => {
                if let Some(ctr) = self.selected_container() {
                    self.input = Some(Input {
                        prompt: format!("rename {} to", ctr.name),
                        text: String::new(),
                        then: InputFor::Rename {
                            id: ctr.id.clone(),
                            name: ctr.name.clone(),
                        },
                    });
                }
                Vec::new()
            }
            (Tab::Images, 'd') => match crate::tui::panes::image_at(self, self.selection()) {
                Some(r) => self.confirm_op(Op::RemoveImage(r)),
                None => Vec::new(),
            },
            (Tab::Networks, 'd') => match crate::tui::panes::network_at(self, self.selection()) {
                Some(n) => self.confirm_op(Op::RemoveNetwork(n)),
                None => Vec::new(),
            },
            (Tab::Volumes, 'd') => match crate::tui::panes::volume_at(self, self.selection()) {
                Some(v) => self.confirm_op(Op::RemoveVolume(v)),
                None => Vec::new(),
            },
            (Tab::Networks, 'P') => {
                self.message = "remove every unused network? y/n".into();
                self.confirm = Some(vec![Request::Do(Op::PruneNetworks)]);
                Vec::new()
            }
            (Tab::Volumes, 'P') => {
                self.message = "remove every unused volume? y/n".into();
                self.confirm = Some(vec![Request::Do(Op::PruneVolumes)]);
                Vec::new()
            }
            _ => Vec::new(),
        }
    }
}
