//! Waiting for a service to converge, shown as Docker's `ServiceProgress` shows it:
//! `overall progress: 3 out of 3 tasks`, a line per slot (`1/3: running   [=====>]`),
//! then `verify: Waiting 5 seconds to verify that tasks are stable...` for the update
//! monitor's duration and `verify: Service converged`. The service and its tasks are
//! polled every 200 ms through the engine interface. On a terminal the lines are
//! redrawn in place, as the docker CLI draws them; otherwise each line is printed when
//! it changes (Docker's own output repeats them at every poll).

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::time::{Duration, Instant};

use bollard::models as m;

use super::service_create::monitor_of;
use crate::backend::Backend;
use crate::cli::Failure;

/// Docker's numbering of task states; the bar of a task is its state out of 9.
fn numbered(s: Option<m::TaskState>) -> i64 {
    use m::TaskState as T;
    match s {
        Some(T::NEW) => 1,
        Some(T::ALLOCATED) => 2,
        Some(T::PENDING) => 3,
        Some(T::ASSIGNED) => 4,
        Some(T::ACCEPTED) => 5,
        Some(T::PREPARING) => 6,
        Some(T::READY) => 7,
        Some(T::STARTING) => 8,
        Some(T::RUNNING) => 9,
        Some(T::COMPLETE) => 10,
        Some(T::SHUTDOWN) => 11,
        Some(T::FAILED) => 12,
        Some(T::REJECTED) => 13,
        _ => 0,
    }
}

fn terminal(s: Option<m::TaskState>) -> bool {
    numbered(s) > numbered(Some(m::TaskState::RUNNING))
}

/// The longest state name shown (`preparing`, `allocated`), which states are padded to.
const LONGEST_STATE: usize = 9;
const MAX_PROGRESS: i64 = 9;
const MAX_PROGRESS_BARS: u64 = 20;

/// One progress line's new content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub id: String,
    pub action: String,
    /// Current and total of a bar, when the line has one.
    pub bar: Option<(i64, i64)>,
}

fn msg(id: impl Into<String>, action: impl Into<String>) -> Msg {
    Msg {
        id: id.into(),
        action: action.into(),
        bar: None,
    }
}

fn overall(running: u64, total: u64, rollback: bool) -> Msg {
    let action = if rollback {
        format!("rolling back update: {running} out of {total} tasks")
    } else {
        format!("{running} out of {total} tasks")
    };
    msg("overall progress", action)
}

/// An error kept to 75 columns on one line.
fn trunc_error(e: &str) -> String {
    let e = e.replace('\n', " ");
    if e.len() > 75 {
        let mut cut = 74;
        while !e.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}…", &e[..cut])
    } else {
        e
    }
}

fn task_line(id: String, t: &m::Task) -> Option<Msg> {
    let status = t.status.clone().unwrap_or_default();
    if let Some(err) = status.err.filter(|e| !e.is_empty()) {
        return Some(msg(id, trunc_error(&err)));
    }
    if !terminal(t.desired_state) && !terminal(status.state) {
        let state = status.state.map(|s| s.to_string()).unwrap_or_default();
        return Some(Msg {
            id,
            action: format!("{state:<LONGEST_STATE$}"),
            bar: Some((numbered(status.state), MAX_PROGRESS)),
        });
    }
    None
}

/// Of several tasks in one place (a slot, a node), the one Docker shows: the lowest
/// desired state, then the lowest observed one.
fn better(existing: &m::Task, t: &m::Task) -> bool {
    let (ed, td) = (numbered(existing.desired_state), numbered(t.desired_state));
    let state = |x: &m::Task| numbered(x.status.as_ref().and_then(|s| s.state));
    !(ed < td || (ed == td && state(existing) <= state(t)))
}

fn known(t: &m::Task) -> bool {
    numbered(t.desired_state) != 0 && numbered(t.status.as_ref().and_then(|s| s.state)) != 0
}

/// Docker's replicated-service progress.
#[derive(Default)]
pub struct Replicated {
    slot_map: HashMap<i64, u64>,
    initialized: bool,
    done: bool,
}

impl Replicated {
    pub fn update(
        &mut self,
        replicas: u64,
        tasks: &[m::Task],
        active: &HashSet<String>,
        rollback: bool,
        out: &mut Vec<Msg>,
    ) -> bool {
        if !self.initialized {
            out.push(overall(0, replicas, rollback));
            if replicas <= MAX_PROGRESS_BARS {
                for i in 1..=replicas {
                    out.push(msg(format!("{i}/{replicas}"), " "));
                }
            }
            self.initialized = true;
        }
        let mut by_slot: HashMap<i64, &m::Task> = HashMap::new();
        for t in tasks.iter().filter(|t| known(t)) {
            let slot = t.slot.unwrap_or(0);
            if by_slot.get(&slot).is_some_and(|e| !better(e, t)) {
                continue;
            }
            if let Some(node) = t.node_id.as_deref().filter(|n| !n.is_empty()) {
                if !active.contains(node) {
                    continue;
                }
            }
            by_slot.insert(slot, t);
        }
        let state = |t: &m::Task| t.status.as_ref().and_then(|s| s.state);
        if self.done
            && by_slot
                .values()
                .any(|t| state(t) != Some(m::TaskState::RUNNING))
        {
            self.done = false;
        }
        let mut slots: Vec<i64> = by_slot.keys().copied().collect();
        slots.sort_unstable();
        let mut running = 0;
        for slot in slots {
            let t = by_slot[&slot];
            let next = self.slot_map.len() as u64 + 1;
            let mapped = *self.slot_map.entry(slot).or_insert(next);
            if !terminal(t.desired_state) && state(t) == Some(m::TaskState::RUNNING) {
                running += 1;
            }
            if !self.done && replicas <= MAX_PROGRESS_BARS && mapped <= replicas {
                out.extend(task_line(format!("{mapped}/{replicas}"), t));
            }
        }
        if !self.done {
            out.push(overall(running, replicas, rollback));
            if running == replicas {
                self.done = true;
            }
        }
        running == replicas
    }
}

/// Docker's global-service progress: one line per node.
#[derive(Default)]
pub struct Global {
    initialized: bool,
    done: bool,
}

impl Global {
    pub fn update(
        &mut self,
        tasks: &[m::Task],
        active: &HashSet<String>,
        rollback: bool,
        out: &mut Vec<Msg>,
    ) -> bool {
        let mut by_node: HashMap<String, &m::Task> = HashMap::new();
        for t in tasks.iter().filter(|t| known(t)) {
            let node = t.node_id.clone().unwrap_or_default();
            if by_node.get(&node).is_some_and(|e| !better(e, t)) {
                continue;
            }
            by_node.insert(node, t);
        }
        let count = by_node.len() as u64;
        if !self.initialized {
            if count == 0 {
                out.push(msg("overall progress", "waiting for new tasks"));
                return false;
            }
            out.push(overall(0, count, rollback));
            self.initialized = true;
        }
        let state = |t: &m::Task| t.status.as_ref().and_then(|s| s.state);
        if self.done
            && by_node
                .values()
                .any(|t| state(t) != Some(m::TaskState::RUNNING))
        {
            self.done = false;
        }
        let mut nodes: Vec<&String> = by_node.keys().collect();
        nodes.sort();
        let mut running = 0;
        for node in nodes {
            let t = by_node[node];
            if !active.contains(node) {
                continue;
            }
            if !terminal(t.desired_state) && state(t) == Some(m::TaskState::RUNNING) {
                running += 1;
            }
            if !self.done && count <= MAX_PROGRESS_BARS {
                let id = crate::format::truncate::short_id(node).to_string();
                out.extend(task_line(id, t));
            }
        }
        if !self.done {
            out.push(overall(running, count, rollback));
            if running == count {
                self.done = true;
            }
        }
        running == count
    }
}

enum Updater {
    Replicated(Replicated),
    Global(Global),
}

/// Where progress goes: a terminal redrawn in place, or plain lines.
pub struct Screen<W: Write> {
    out: W,
    tty: bool,
    /// Terminal columns (Docker draws bars only on terminals wider than 110).
    width: usize,
    /// Each line's ID, in the order they appeared (terminal), or its last text.
    ids: Vec<String>,
    last: HashMap<String, String>,
}

/// Docker's bar for a task's state: `[=====>     ] ` (50 columns), or nothing on a
/// narrow terminal.
fn bar(current: i64, total: i64, width: usize) -> String {
    if total <= 0 || width <= 110 {
        return String::new();
    }
    let pct = (((current as f64 / total as f64) * 100.0) as i64 / 2).min(50) as usize;
    format!("[{}>{}] ", "=".repeat(pct), " ".repeat(50 - pct))
}

impl<W: Write> Screen<W> {
    pub fn new(out: W, tty: bool, width: usize) -> Self {
        Screen {
            out,
            tty,
            width,
            ids: Vec::new(),
            last: HashMap::new(),
        }
    }

    pub fn show(&mut self, m: &Msg) {
        if self.tty {
            let line = match self.ids.iter().position(|i| *i == m.id) {
                Some(l) => l,
                None => {
                    self.ids.push(m.id.clone());
                    let _ = writeln!(self.out);
                    self.ids.len() - 1
                }
            };
            let diff = self.ids.len() - line;
            let bar = m
                .bar
                .map(|(c, t)| bar(c, t, self.width))
                .unwrap_or_default();
            let _ = write!(
                self.out,
                "\x1b[{diff}A\x1b[2K\r{}: {} {bar}\r\x1b[{diff}B",
                m.id, m.action
            );
        } else {
            let text = m.action.trim_end().to_string();
            if text.is_empty() || self.last.get(&m.id) == Some(&text) {
                return;
            }
            let _ = writeln!(self.out, "{}: {text}", m.id);
            self.last.insert(m.id.clone(), text);
        }
        let _ = self.out.flush();
    }

    /// A line of its own, below the progress lines (which it ends on a terminal).
    pub fn note(&mut self, text: &str) {
        self.ids.clear();
        let _ = writeln!(self.out, "{text}");
        let _ = self.out.flush();
    }
}

/// Follow the service until it has converged and stayed so for its update monitor's
/// duration; Ctrl-C leaves it converging in the background, as Docker does.
pub async fn converge<W: Write>(
    b: &dyn Backend,
    service_id: &str,
    screen: &mut Screen<W>,
) -> Result<(), Failure> {
    let mut updater: Option<Updater> = None;
    let mut converged = false;
    let mut converged_at: Option<Instant> = None;
    let mut rollback = false;
    let mut message: Option<String> = None;
    let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        let svc = b.service_inspect(service_id).await.map_err(Failure::from)?;
        let spec = svc.spec.clone().unwrap_or_default();
        let monitor = Duration::from_nanos(monitor_of(Some(&spec)).max(0) as u64);
        if updater.is_none() {
            updater = Some(match super::replicas(&spec) {
                _ if super::is_global(&spec) => Updater::Global(Global::default()),
                Some(_) => Updater::Replicated(Replicated::default()),
                None => return Err("unrecognized service mode".into()),
            });
        }
        if let Some(us) = &svc.update_status {
            use m::ServiceUpdateStatusStateEnum as U;
            let text = us.message.clone().unwrap_or_default();
            match us.state {
                Some(U::UPDATING) => rollback = false,
                Some(U::COMPLETED) if !converged => return Ok(()),
                Some(U::PAUSED) => return Err(format!("service update paused: {text}").into()),
                Some(U::ROLLBACK_STARTED) => {
                    if !rollback && !text.is_empty() {
                        screen.show(&msg("rollback", text));
                    }
                    rollback = true;
                }
                Some(U::ROLLBACK_PAUSED) => {
                    return Err(format!("service rollback paused: {text}").into())
                }
                Some(U::ROLLBACK_COMPLETED) => {
                    if !converged {
                        message = Some(format!("rollback: {text}"));
                    }
                    rollback = true;
                }
                _ => {}
            }
        }
        if converged && converged_at.is_some_and(|at| at.elapsed() >= monitor) {
            screen.show(&msg("verify", "Service converged"));
            if let Some(m) = &message {
                screen.note(m);
            }
            return Ok(());
        }
        let id = svc.id.clone().unwrap_or_else(|| service_id.to_string());
        let filters = HashMap::from([
            ("service".to_string(), vec![id.clone()]),
            ("_up-to-date".to_string(), vec!["true".to_string()]),
        ]);
        let tasks: Vec<m::Task> = b
            .task_list(filters)
            .await
            .map_err(Failure::from)?
            .into_iter()
            // Which tasks run the current spec is the engine's to say: a Docker engine
            // fills in defaults, so a task's spec need not equal the service's template.
            .filter(|t| t.service_id.as_deref() == Some(id.as_str()))
            .collect();
        let active: HashSet<String> = b
            .node_list()
            .await
            .map_err(Failure::from)?
            .into_iter()
            .filter(|n| n.status.as_ref().and_then(|s| s.state) != Some(m::NodeState::DOWN))
            .filter_map(|n| n.id)
            .collect();
        let mut msgs = Vec::new();
        converged = match updater.as_mut() {
            Some(Updater::Replicated(u)) => u.update(
                super::replicas(&spec).unwrap_or(1),
                &tasks,
                &active,
                rollback,
                &mut msgs,
            ),
            Some(Updater::Global(u)) => u.update(&tasks, &active, rollback, &mut msgs),
            None => false,
        };
        for m in &msgs {
            screen.show(m);
        }
        if converged {
            let at = *converged_at.get_or_insert_with(Instant::now);
            if let Some(wait) = monitor.checked_sub(at.elapsed()) {
                screen.show(&msg(
                    "verify",
                    format!(
                        "Waiting {} seconds to verify that tasks are stable...",
                        wait.as_secs() + 1
                    ),
                ));
            }
        } else {
            if converged_at.is_some() {
                screen.show(&msg("verify", "Detected task failure"));
            }
            converged_at = None;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            _ = &mut ctrl_c => {
                if !converged {
                    screen.note("Operation continuing in background.");
                    screen.note(&format!("Use `berth service ps {service_id}` to check progress."));
                }
                return Ok(());
            }
        }
    }
}

/// Wait for `service_id` on stdout (nothing shown with `quiet`).
pub fn wait(door: &crate::cli::door::Door, service_id: &str, quiet: bool) -> Result<(), Failure> {
    use std::io::IsTerminal;
    let tty = std::io::stdout().is_terminal();
    let width = crate::cli::pump::terminal_size().map_or(80, |(_, cols)| cols as usize);
    if quiet {
        let mut screen = Screen::new(std::io::sink(), false, width);
        return door.block_on(converge(door.backend(), service_id, &mut screen));
    }
    let mut screen = Screen::new(std::io::stdout(), tty, width);
    door.block_on(converge(door.backend(), service_id, &mut screen))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(slot: i64, desired: m::TaskState, state: m::TaskState, err: Option<&str>) -> m::Task {
        m::Task {
            slot: Some(slot),
            node_id: Some("n1".into()),
            desired_state: Some(desired),
            status: Some(m::TaskStatus {
                state: Some(state),
                err: err.map(String::from),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn run(steps: &[Vec<m::Task>], replicas: u64, tty: bool) -> String {
        let active = HashSet::from(["n1".to_string()]);
        let mut u = Replicated::default();
        let mut screen = Screen::new(Vec::new(), tty, 120);
        for tasks in steps {
            let mut msgs = Vec::new();
            let done = u.update(replicas, tasks, &active, false, &mut msgs);
            for m in &msgs {
                screen.show(m);
            }
            if done {
                screen.show(&msg(
                    "verify",
                    "Waiting 5 seconds to verify that tasks are stable...",
                ));
            }
        }
        screen.show(&msg("verify", "Service converged"));
        String::from_utf8(screen.out).unwrap()
    }

    fn steps() -> Vec<Vec<m::Task>> {
        use m::TaskState as T;
        vec![
            vec![],
            vec![
                task(1, T::RUNNING, T::PREPARING, None),
                task(2, T::RUNNING, T::STARTING, None),
                task(
                    3,
                    T::RUNNING,
                    T::PENDING,
                    Some("no suitable node (insufficient resources on 1 node)"),
                ),
            ],
            vec![
                task(1, T::RUNNING, T::RUNNING, None),
                task(2, T::RUNNING, T::RUNNING, None),
                // A shut-down task of slot 3 stays behind its replacement.
                task(3, T::SHUTDOWN, T::FAILED, Some("task: non-zero exit (137)")),
                task(3, T::RUNNING, T::RUNNING, None),
            ],
        ]
    }

    #[test]
    fn lines_change_as_docker_words_them() {
        insta::assert_snapshot!(run(&steps(), 3, false));
    }

    #[test]
    fn a_terminal_is_redrawn_in_place() {
        let out = run(&steps(), 3, true);
        // Every line is drawn above the cursor and the cursor put back.
        assert!(out.contains("\x1b[3A\x1b[2K\r1/3: running   [==================================================>] \r\x1b[3B"), "{out:?}");
        assert!(
            out.contains("overall progress: 3 out of 3 tasks \r"),
            "{out:?}"
        );
        assert!(
            out.ends_with("\x1b[1A\x1b[2K\rverify: Service converged \r\x1b[1B"),
            "{out:?}"
        );
        // Five lines: overall, three slots, verify.
        assert_eq!(out.matches('\n').count(), 5);
    }

    #[test]
    fn bars_and_errors_as_docker_draws_them() {
        assert_eq!(bar(9, 9, 120), format!("[{}>] ", "=".repeat(50)));
        assert_eq!(
            bar(6, 9, 120),
            format!("[{}>{}] ", "=".repeat(33), " ".repeat(17))
        );
        assert_eq!(bar(6, 9, 100), "");
        assert_eq!(trunc_error(&"e".repeat(80)).chars().count(), 75);
        assert_eq!(trunc_error("a\nb"), "a b");
    }

    #[test]
    fn scaling_to_zero_converges_at_once() {
        let active = HashSet::new();
        let mut u = Replicated::default();
        let mut out = Vec::new();
        assert!(u.update(0, &[], &active, false, &mut out));
        assert_eq!(out, vec![overall(0, 0, false), overall(0, 0, false)]);
    }
}
