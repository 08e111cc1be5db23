//! The TUI: `berth` with no arguments. One state struct (state/), one event loop
//! (here), panes that draw themselves (panes/), data from the engine interface fetched
//! off the UI thread (worker/), colors from a theme (theme.rs). The terminal is restored
//! on exit, on panic and on SIGTERM.

pub mod data;
pub mod editor;
pub mod form_values;
pub mod forms;
pub mod health;
pub mod link;
pub mod logtail;
pub mod logview;
pub mod ops;
pub mod panes;
pub mod project;
pub mod service_forms;
pub mod services;
pub mod state;
pub mod stats;
pub mod term;
pub mod theme;
pub mod worker;

use std::io::stdout;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossterm::event::{self, Event, MouseButton, MouseEventKind};
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

use state::{App, Request, TermVerb, TABS};
use term::EmbeddedTerm;
use theme::Theme;
use worker::BerthExe;

use link::{Link, Links};

static TERMINATED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigterm(_: libc::c_int) {
    TERMINATED.store(true, Ordering::SeqCst);
}

fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(
        stdout(),
        LeaveAlternateScreen,
        event::DisableMouseCapture,
        crossterm::cursor::Show
    );
}

pub use link::connect;

/// The TUI on the engine `first` links to; `links` opens the others a user switches to.
pub fn run(links: Links, first: Link, theme: Theme) -> Result<(), String> {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        prev(info);
    }));
    // SAFETY: the handler only stores to an atomic.
    unsafe {
        libc::signal(libc::SIGTERM, on_sigterm as *const () as libc::sighandler_t);
        libc::signal(libc::SIGHUP, on_sigterm as *const () as libc::sighandler_t);
    }
    enable_raw_mode().map_err(|e| format!("terminal: {e}"))?;
    execute!(stdout(), EnterAlternateScreen, event::EnableMouseCapture)
        .map_err(|e| format!("terminal: {e}"))?;
    let result = event_loop(links, first, theme);
    restore_terminal();
    result
}

fn event_loop(mut links: Links, first: Link, theme: Theme) -> Result<(), String> {
    let mut term =
        Terminal::new(CrosstermBackend::new(stdout())).map_err(|e| format!("terminal: {e}"))?;
    let mut berth = first.berth.clone();
    let mut worker = worker::spawn(first.backend, first.berth);
    let mut app = App::new(theme);
    app.context = first.name;
    let mut dirty = true;
    let mut last_draw = Instant::now();
    // The embedded terminal (e, a), if one is open.
    let mut shell: Option<EmbeddedTerm> = None;
    while !app.quit && !TERMINATED.load(Ordering::SeqCst) {
        // Redraw on change; once a second while a countdown or spinner runs.
        let ticking = !app.stopping.is_empty() || app.busy > 0;
        if dirty || (ticking && last_draw.elapsed() >= Duration::from_millis(250)) {
            let now = Instant::now();
            term.draw(|f| {
                panes::draw(f, &app, now);
                if let Some(s) = &shell {
                    panes::terminal(f, &app, s);
                }
            })
            .map_err(|e| format!("draw: {e}"))?;
            dirty = false;
            last_draw = now;
        }
        // Wait on the terminal ourselves: crossterm spins reading EOF forever once the
        // terminal hangs up (its window or tmux server gone), so hang-ups end us here.
        // An embedded terminal wants its echo drawn at once: wait less while one is open.
        let wait = if shell.is_some() { 15 } else { 100 };
        if terminal_wait(Duration::from_millis(wait)) == TerminalWait::Gone {
            return Err("the terminal went away".into());
        }
        if let Some(s) = shell.as_mut() {
            if s.take_fresh() {
                dirty = true;
            }
        }
        // Every event crossterm has (keys, mouse, and resizes, which arrive by signal).
        while event::poll(Duration::ZERO).map_err(|e| e.to_string())? {
            let ev = event::read().map_err(|e| e.to_string())?;
            dirty = true;
            // The embedded terminal takes every key but its own escape (Ctrl-]).
            if let Some(s) = shell.as_mut() {
                match ev {
                    Event::Key(k) if k.kind == event::KeyEventKind::Press => {
                        // Terminals send Ctrl-] as 0x1d, which crossterm reports as Ctrl-5.
                        let escape = matches!(k.code, event::KeyCode::Char(']' | '5'))
                            && k.modifiers.contains(event::KeyModifiers::CONTROL);
                        if s.exit.is_some() || escape {
                            app.message = format!("left {}", s.title);
                            shell = None;
                        } else {
                            s.key(k);
                        }
                    }
                    Event::Paste(text) => s.write(text.as_bytes()),
                    Event::Resize(..) => {
                        let (rows, cols) = terminal_pane_size();
                        s.resize(rows, cols);
                    }
                    _ => {}
                }
                continue;
            }
            let reqs = match ev {
                Event::Key(k) if k.kind == event::KeyEventKind::Press => app.on_key(k),
                Event::Mouse(m) => on_mouse(&mut app, m),
                Event::Resize(..) => Vec::new(),
                _ => continue,
            };
            for r in reqs {
                if let Request::Terminal {
                    id,
                    name,
                    verb,
                    handover,
                } = &r
                {
                    if *handover {
                        hand_over(&mut term, &berth, id, *verb);
                        app.message = "back in the TUI".into();
                    } else {
                        let (s, ends) = open_shell(name, *verb);
                        let session = worker::Session {
                            id: id.clone(),
                            verb: *verb,
                            ends,
                        };
                        if worker.sessions.send(session).is_ok() {
                            app.message = "Ctrl-] leaves the terminal".into();
                            shell = Some(s);
                        } else {
                            app.message = "the TUI's worker has stopped".into();
                        }
                    }
                    continue;
                }
                if let Request::SwitchContext(name) = &r {
                    // A worker of its own for the other engine; dropping the old
                    // one's requests ends it and everything it followed.
                    match links.open_context(name) {
                        Ok(l) => {
                            berth = l.berth.clone();
                            worker = worker::spawn(l.backend, l.berth);
                            app = app.switched_to(l.name);
                            let _ = worker.requests.send(Request::View(app.tab));
                        }
                        Err(e) => app.message = format!("context {name}: {e}"),
                    }
                    continue;
                }
                let _ = worker.requests.send(r);
            }
        }
        while let Ok(m) = worker.messages.try_recv() {
            dirty = true;
            for r in app.receive(m) {
                let _ = worker.requests.send(r);
            }
        }
    }
    Ok(())
}

#[derive(PartialEq)]
enum TerminalWait {
    Ready,
    Gone,
}

/// Wait up to `timeout` for input on the terminal; Gone once it hung up.
fn terminal_wait(timeout: Duration) -> TerminalWait {
    let mut fds = [libc::pollfd {
        fd: 0,
        events: libc::POLLIN,
        revents: 0,
    }];
    // SAFETY: poll(2) on one valid pollfd.
    let n = unsafe { libc::poll(fds.as_mut_ptr(), 1, timeout.as_millis() as libc::c_int) };
    if n > 0 && fds[0].revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
        TerminalWait::Gone
    } else {
        TerminalWait::Ready
    }
}

/// The berth command line for an interactive session.
fn session_args(id: &str, verb: TermVerb) -> Vec<String> {
    match verb {
        TermVerb::Exec => vec!["exec".into(), "-it".into(), id.into(), "sh".into()],
        // Leaving the pane hangs the client up: that must not reach the container.
        TermVerb::Attach => vec!["attach".into(), "--sig-proxy=false".into(), id.into()],
    }
}

/// The embedded terminal's rows and columns: the body between the tab line and the
/// status line, inside its border.
fn terminal_pane_size() -> (u16, u16) {
    let (w, h) = crossterm::terminal::size().unwrap_or((80, 24));
    (h.saturating_sub(4), w.saturating_sub(2))
}

/// `e`/`a`: a session in a pane of its own, run by the worker through the engine
/// interface; the ends go with it.
fn open_shell(name: &str, verb: TermVerb) -> (EmbeddedTerm, term::TermEnds) {
    let (rows, cols) = terminal_pane_size();
    let what = match verb {
        TermVerb::Exec => "exec",
        TermVerb::Attach => "attach",
    };
    EmbeddedTerm::new(format!("{what} {name}"), rows, cols)
}

/// `E`/`A`: hand the whole terminal to the session and take it back after.
fn hand_over<B: ratatui::backend::Backend>(
    term: &mut Terminal<B>,
    berth: &BerthExe,
    id: &str,
    verb: TermVerb,
) {
    restore_terminal();
    let short = &id[..12.min(id.len())];
    match verb {
        TermVerb::Exec => println!("berth: a shell in {short}; exit it to return to the TUI"),
        TermVerb::Attach => {
            println!("berth: attached to {short}; Ctrl-P Ctrl-Q detaches and returns to the TUI")
        }
    }
    let _ = berth.command().args(session_args(id, verb)).status();
    let _ = enable_raw_mode();
    let _ = execute!(stdout(), EnterAlternateScreen, event::EnableMouseCapture);
    let _ = term.clear();
}

/// Wheel scrolls the list, a click on the top line picks a tab.
fn on_mouse(app: &mut App, m: event::MouseEvent) -> Vec<Request> {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
    // The wheel over the right-hand text (logs, anatomy, details) scrolls it; elsewhere
    // it moves the selection.
    let over_text = {
        let hits = app.hits.borrow();
        !hits.is_empty() && hits.iter().all(|(r, _)| m.column >= r.x + r.width)
    };
    match m.kind {
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp if over_text => {
            let down = m.kind == MouseEventKind::ScrollDown;
            if app.tab == state::Tab::Logs {
                app.logs.scroll(if down { 3 } else { -3 });
            } else if down {
                app.scroll = app.scroll.saturating_add(3);
            } else {
                app.scroll = app.scroll.saturating_sub(3);
            }
            Vec::new()
        }
        MouseEventKind::ScrollDown => app.on_key(key(KeyCode::Down)),
        MouseEventKind::ScrollUp => app.on_key(key(KeyCode::Up)),
        MouseEventKind::Down(MouseButton::Left) if m.row > 0 => app.click(m.column, m.row),
        MouseEventKind::Down(MouseButton::Left) if m.row == 0 => {
            // The tabs are drawn as " label " separated by one-column dividers.
            let width =
                panes::tabs_width(app, crossterm::terminal::size().map(|s| s.0).unwrap_or(80));
            let mut x = 0u16;
            for (t, label) in TABS.iter().zip(panes::tab_labels(width)) {
                let w = (label.chars().count() + 2) as u16;
                if m.column < x + w {
                    return app.on_key(key(KeyCode::Char(t.key())));
                }
                x += w + 1;
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}
