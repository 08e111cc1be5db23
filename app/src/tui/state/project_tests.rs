//! Compose projects in the container lists: headers, folding, the selection, and the
//! requests a project's keys make.

use super::tests::fixture;
use super::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn enter() -> KeyEvent {
    KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)
}

fn app() -> App {
    let mut app = App::new(Theme::built_in("dark").unwrap());
    app.update(fixture());
    app
}

fn compose(verb: ComposeVerb) -> Request {
    Request::Do(Op::Compose {
        project: "shop".into(),
        verb,
    })
}

#[test]
fn a_project_header_is_a_line_of_its_own_with_its_counts() {
    let app = app();
    // ▾ shop, api, db, web: the header comes first and is selected.
    assert_eq!(app.rows(), 4);
    let g = app.selected_project().unwrap();
    assert_eq!((g.name.as_str(), g.running, g.total), ("shop", 1, 2));
    assert!(app.selected_container().is_none());
}

#[test]
fn a_header_s_keys_act_on_the_whole_project() {
    let mut app = app();
    assert_eq!(app.on_key(key('u')), vec![compose(ComposeVerb::Up)]);
    assert_eq!(app.busy, 1);
    assert!(app.message.contains("compose up shop"), "{}", app.message);
    assert_eq!(app.on_key(key('s')), vec![compose(ComposeVerb::Start)]);
    assert_eq!(app.on_key(key('r')), vec![compose(ComposeVerb::Restart)]);
    // A stop counts down on each container as compose reaches it.
    assert_eq!(app.on_key(key('x')), vec![compose(ComposeVerb::Stop)]);
    assert!(app.stop_countdown("c3", Instant::now()).is_none());
    app.receive(Msg::Stopping("api".into()));
    assert!(app.stop_countdown("c3", Instant::now()).is_some());
    app.receive(Msg::Note(
        "compose stop shop: Container api  Stopping".into(),
    ));
    assert_eq!(app.message, "compose stop shop: Container api  Stopping");
    // Down asks first.
    assert!(app.on_key(key('d')).is_empty());
    assert!(app.message.contains("down shop"), "{}", app.message);
    assert_eq!(app.on_key(key('y')), vec![compose(ComposeVerb::Down)]);
    assert!(app.on_key(key('d')).is_empty());
    assert!(app.on_key(key('n')).is_empty());
    // Kill asks, then goes to each of its containers.
    assert!(app.on_key(key('K')).is_empty());
    assert!(app.message.contains("kill 2 containers"), "{}", app.message);
    assert_eq!(
        app.on_key(key('y')),
        vec![
            Request::Act(Action::Kill, "c3".into(), "api".into()),
            Request::Act(Action::Kill, "c2".into(), "db".into()),
        ]
    );
    // Keys about one container say what to do instead.
    assert!(app.on_key(key('R')).is_empty());
    assert!(app.message.contains("select one of its containers"));
    assert!(app.on_key(key('e')).is_empty());
    assert!(app.input.is_none() && app.picker.is_none());
}

#[test]
fn a_container_in_a_project_keeps_its_own_keys() {
    let mut app = app();
    app.on_key(key('j'));
    assert_eq!(
        app.on_key(key('x')),
        vec![Request::Act(Action::Stop, "c3".into(), "api".into())]
    );
    // u is a project's key only.
    assert!(app.on_key(key('u')).is_empty());
}

#[test]
fn folding_moves_the_selection_to_the_header_and_outlives_refreshes() {
    let mut app = app();
    // (The worker was never told of the header: no SelectProject(None) to undo it.)
    assert_eq!(
        app.on_key(key('j')),
        vec![Request::Select(Some("c3".into()))]
    );
    // z on api folds shop; the selection goes to its header, and the worker is told.
    let r = app.on_key(key('z'));
    assert_eq!(
        r,
        vec![
            Request::Select(None),
            Request::SelectProject(Some("shop".into()))
        ]
    );
    assert!(app.selected_project().unwrap().collapsed);
    assert_eq!(app.rows(), 2);
    assert_eq!(
        app.containers().len(),
        3,
        "folded containers are still listed"
    );
    app.update(fixture());
    assert_eq!(app.rows(), 2, "still folded after new data");
    assert_eq!(app.selected_project().unwrap().name, "shop");
    // Enter unfolds, space folds again; both keep the header selected.
    assert!(app.on_key(enter()).is_empty());
    assert_eq!(app.rows(), 4);
    app.on_key(key(' '));
    assert_eq!(app.rows(), 2);
    assert_eq!(app.selected_project().unwrap().name, "shop");
    // On a container of no project, z says so; space still marks there.
    app.on_key(key('j'));
    app.on_key(key('z'));
    assert_eq!(app.message, "not in a compose project");
    app.on_key(key(' '));
    assert!(app.marked.contains("c1"));
}

#[test]
fn the_selection_stays_on_its_container_when_the_list_changes() {
    let mut app = App::new(Theme::built_in("dark").unwrap());
    let r = app.receive(Msg::Snapshot(Box::new(fixture())));
    assert_eq!(
        r,
        vec![
            Request::Select(None),
            Request::SelectProject(Some("shop".into()))
        ]
    );
    for _ in 0..3 {
        app.on_key(key('j'));
    }
    assert_eq!(app.selected_container().unwrap().name, "web");
    // A new container of the project comes before web: web stays selected, so the
    // worker need not be told anything.
    let mut s = fixture();
    let mut cache = s.containers[1].clone();
    cache.id = "c4".into();
    cache.name = "cache".into();
    s.containers.push(cache);
    assert!(app.receive(Msg::Snapshot(Box::new(s))).is_empty());
    assert_eq!(app.selection(), 4);
    assert_eq!(app.selected_container().unwrap().name, "web");
}

#[test]
fn the_logs_tab_shows_the_project_on_its_header() {
    let mut app = app();
    app.on_key(key('l'));
    assert_eq!(app.tab, Tab::Logs);
    assert_eq!(app.selected_project().unwrap().name, "shop");
    // S saves one container's log: on a project it says so.
    assert!(app.on_key(key('S')).is_empty());
    assert!(app.message.contains("select one of its containers"));
}
