//! Key flows of the state, without a terminal or an engine.

use super::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

pub fn fixture() -> Snapshot {
    let row = |id: &str, name: &str, state: &str, project: &str| ContainerRow {
        id: id.into(),
        name: name.into(),
        image: "busybox".into(),
        status: if state == "running" {
            "Up 2 minutes".into()
        } else {
            "Exited (0) 1 minute ago".into()
        },
        state: state.into(),
        project: project.into(),
        ..Default::default()
    };
    Snapshot {
        containers: vec![
            row("c1", "web", "running", ""),
            row("c2", "db", "exited", "shop"),
            row("c3", "api", "running", "shop"),
        ],
        ..Default::default()
    }
}

#[test]
fn containers_group_by_project_and_filter() {
    let mut app = App::new(Theme::built_in("dark").unwrap());
    app.update(fixture());
    let names: Vec<&str> = app.containers().iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["api", "db", "web"]);
    app.on_key(key('/'));
    for c in "we".chars() {
        app.on_key(key(c));
    }
    app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert_eq!(app.containers().len(), 1);
    assert_eq!(app.selected_container().unwrap().name, "web");
}

#[test]
fn stop_runs_at_once_with_a_countdown_and_remove_asks_first() {
    let mut app = App::new(Theme::built_in("dark").unwrap());
    app.update(fixture());
    // api: the line under the shop project's header.
    app.selected[0] = 1;
    // api is first (project shop); stop it.
    let r = app.on_key(key('x'));
    assert_eq!(
        r,
        vec![Request::Act(Action::Stop, "c3".into(), "api".into())]
    );
    let t = app.stop_countdown("c3", Instant::now()).unwrap();
    assert!(t.starts_with("stopping… "), "{t}");
    // Remove: nothing until y.
    let r = app.on_key(key('j'));
    assert_eq!(r, vec![Request::Select(Some("c2".into()))]);
    assert!(app.on_key(key('d')).is_empty());
    assert!(app.message.contains("remove db? y/n"));
    assert_eq!(
        app.on_key(key('y')),
        vec![Request::Act(Action::Remove, "c2".into(), "db".into())]
    );
    // n cancels.
    app.on_key(key('K'));
    assert!(app.on_key(key('n')).is_empty());
    assert!(app.message.contains("cancelled"));
    // The countdown ends when the container stops.
    let mut s = fixture();
    s.containers[2].state = "exited".into();
    app.update(s);
    assert!(app.stop_countdown("c3", Instant::now()).is_none());
}

#[test]
fn the_command_line_runs_berth_verbs_and_e_execs() {
    let mut app = App::new(Theme::built_in("dark").unwrap());
    app.update(fixture());
    // api: the line under the shop project's header.
    app.selected[0] = 1;
    app.on_key(key(':'));
    for c in "docker network create 'my net'".chars() {
        app.on_key(key(c));
    }
    let r = app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert_eq!(
        r,
        vec![Request::Command(vec![
            "network".into(),
            "create".into(),
            "my net".into()
        ])]
    );
    assert_eq!(
        app.on_key(key('e')),
        vec![Request::Terminal {
            id: "c3".into(),
            name: "api".into(),
            verb: TermVerb::Exec,
            handover: false
        }]
    );
    app.output = Some("done".into());
    assert!(
        app.on_key(key('x')).is_empty(),
        "a key first closes the output"
    );
    assert!(app.output.is_none());
}

#[test]
fn network_picker_rename_and_object_removal() {
    let mut app = App::new(Theme::built_in("dark").unwrap());
    let mut s = fixture();
    s.containers[2].networks = vec!["bridge".into()];
    s.networks = ["bridge", "host", "back"]
        .iter()
        .map(|n| crate::tui::data::NetworkRow {
            name: n.to_string(),
            ..Default::default()
        })
        .collect();
    app.update(s);
    // api: the line under the shop project's header.
    app.selected[0] = 1;
    // api is selected (project shop first); connect it to the only choice, back.
    assert!(app.on_key(key('n')).is_empty());
    assert_eq!(app.picker.as_ref().unwrap().items, vec!["back".to_string()]);
    let r = app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert_eq!(
        r,
        vec![Request::Do(Op::Connect {
            network: "back".into(),
            id: "c3".into(),
            name: "api".into()
        })]
    );
    app.on_key(key('R'));
    for c in "edge".chars() {
        app.on_key(key(c));
    }
    let r = app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert_eq!(
        r,
        vec![Request::Do(Op::Rename {
            id: "c3".into(),
            name: "api".into(),
            new_name: "edge".into()
        })]
    );
    app.on_key(key('3'));
    app.on_key(key('j'));
    app.on_key(key('j'));
    assert!(app.on_key(key('d')).is_empty());
    assert!(
        app.message.contains("remove network back? y/n"),
        "{}",
        app.message
    );
    assert_eq!(
        app.on_key(key('y')),
        vec![Request::Do(Op::RemoveNetwork("back".into()))]
    );
}

#[test]
fn marked_containers_act_together() {
    let mut app = App::new(Theme::built_in("dark").unwrap());
    app.update(fixture());
    // api: the line under the shop project's header.
    app.selected[0] = 1;
    // api (paused? no: running) and db marked with space; web stays unmarked.
    app.on_key(key(' '));
    app.on_key(key(' '));
    assert_eq!(app.marked.len(), 2);
    assert_eq!(app.selected_container().unwrap().name, "web");
    let r = app.on_key(key('s'));
    assert_eq!(
        r,
        vec![
            Request::Act(Action::Start, "c3".into(), "api".into()),
            Request::Act(Action::Start, "c2".into(), "db".into()),
        ]
    );
    assert!(app.on_key(key('d')).is_empty());
    assert!(
        app.message.contains("remove 2 containers? y/n"),
        "{}",
        app.message
    );
    assert_eq!(app.on_key(key('y')).len(), 2);
    // Esc clears the marks: keys act on the selection again.
    app.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    assert!(app.marked.is_empty());
    assert_eq!(
        app.on_key(key('x')),
        vec![Request::Act(Action::Stop, "c1".into(), "web".into())]
    );
}

#[test]
fn commit_tag_history_and_inspect_are_typed_requests() {
    let mut app = App::new(Theme::built_in("dark").unwrap());
    let mut s = fixture();
    s.images = vec![crate::tui::data::ImageRow {
        id: "sha256:abc".into(),
        tags: vec!["demo/busybox:latest".into()],
        ..Default::default()
    }];
    app.update(s);
    // api: the line under the shop project's header.
    app.selected[0] = 1;
    app.on_key(key('c'));
    for c in "snap:1".chars() {
        app.on_key(key(c));
    }
    let r = app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert_eq!(
        r,
        vec![Request::Do(Op::Commit {
            id: "c3".into(),
            name: "api".into(),
            repo: "snap".into(),
            tag: "1".into()
        })]
    );
    assert_eq!(
        app.on_key(key('i')),
        vec![Request::Show(Show::Inspect { id: "c3".into() })]
    );
    app.on_key(key('2'));
    assert_eq!(
        app.on_key(key('H')),
        vec![Request::Show(Show::History {
            image: "demo/busybox:latest".into()
        })]
    );
    app.on_key(key('t'));
    for c in "mine:v2".chars() {
        app.on_key(key(c));
    }
    let r = app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert_eq!(
        r,
        vec![Request::Do(Op::Tag {
            image: "demo/busybox:latest".into(),
            repo: "mine".into(),
            tag: "v2".into()
        })]
    );
}

#[test]
fn tabs_help_theme_and_quit() {
    let mut app = App::new(Theme::built_in("dark").unwrap());
    app.on_key(key('2'));
    assert_eq!(app.tab, Tab::Images);
    app.on_key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT));
    assert_eq!(app.tab, Tab::Containers);
    app.on_key(key('?'));
    assert!(app.help);
    app.on_key(key('z'));
    assert!(!app.help);
    app.on_key(key('T'));
    assert_eq!(app.theme.name, "light");
    app.on_key(key('q'));
    assert!(app.quit);
}
