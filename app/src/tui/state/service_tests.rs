//! The services pane's key flows: the requests each key makes, the forms, the
//! confirmations, folding stacks, the task table and the jump to a task's container.

use super::tests::fixture;
use super::*;
use crate::tui::form_values::Fields;
use crate::tui::services::fixtures::swarm;
use crate::tui::services::SwarmView;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn code(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn ctrl_s() -> KeyEvent {
    KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)
}

/// The services pane over the fixture swarm: ▾ shop, api, db, agent, web; web (the
/// fifth line) selected.
fn app() -> App {
    let mut app = App::new(Theme::built_in("dark").unwrap());
    let (view, _, details) = swarm();
    let mut snap = fixture();
    // web.2's task container is one of the containers listed.
    snap.containers[2].id = "ctr-t2newaaaaaaaaaaa".into();
    snap.swarm = view;
    snap.service = Some(details);
    app.update(snap);
    app.on_key(key('0'));
    app.on_key(key('G'));
    app
}

fn service(verb: ServiceVerb) -> Request {
    Request::Do(Op::Service {
        id: "svcweb0123456789".into(),
        name: "web".into(),
        verb,
    })
}

fn names(app: &App) -> Vec<String> {
    let rows = app.service_rows();
    app.service_listing()
        .lines
        .iter()
        .map(|l| match *l {
            ServiceLine::Stack(g) => format!("stack {}", app.service_listing().stacks[g].name),
            ServiceLine::Service(i) => rows[i].name.clone(),
        })
        .collect()
}

#[test]
fn stacks_group_their_services_and_fold() {
    let mut app = app();
    assert_eq!(names(&app), ["stack shop", "api", "db", "agent", "web"]);
    assert_eq!(app.selected_service().unwrap().name, "web");
    app.on_key(key('g'));
    let s = app.selected_stack().unwrap();
    assert_eq!((s.services, s.running, s.desired), (2, 2, 2));
    app.on_key(code(KeyCode::Enter));
    assert_eq!(names(&app), ["stack shop", "agent", "web"]);
    // z on a service of the stack folds it too, and the selection goes to its line.
    app.on_key(key(' '));
    app.on_key(key('j'));
    assert_eq!(app.selected_service().unwrap().name, "api");
    app.on_key(key('z'));
    assert_eq!(app.selected_stack().unwrap().name, "shop");
    assert_eq!(names(&app).len(), 3);
}

#[test]
fn the_worker_is_told_which_service_to_read() {
    let mut app = App::new(Theme::built_in("dark").unwrap());
    let r = app.on_key(key('0'));
    assert!(r.contains(&Request::View(Tab::Services)), "{r:?}");
    assert!(r.contains(&Request::SelectService(None)), "{r:?}");
    // The services arrive: the first line is the stack's, so still none.
    let snap = Snapshot {
        swarm: swarm().0,
        ..Default::default()
    };
    assert_eq!(app.receive(Msg::Snapshot(Box::new(snap))), vec![]);
    assert_eq!(
        app.on_key(key('j')),
        vec![Request::SelectService(Some("svcapi".into()))]
    );
    // The same service again: nothing new to say.
    assert_eq!(app.on_key(key('T')), vec![]);
}

#[test]
fn plus_and_minus_scale_from_the_last_count_asked() {
    let mut app = app();
    assert_eq!(app.on_key(key('+')), vec![service(ServiceVerb::Scale(4))]);
    // Before the data shows 4, another press counts from 4.
    assert_eq!(app.on_key(key('+')), vec![service(ServiceVerb::Scale(5))]);
    assert_eq!(app.on_key(key('-')), vec![service(ServiceVerb::Scale(4))]);
    assert_eq!(app.message, "scale web to 4...");
    // A global service has no count to change.
    app.on_key(key('k'));
    assert_eq!(app.on_key(key('+')), vec![]);
    assert_eq!(app.message, "agent is global: it runs one task a node");
}

#[test]
fn s_asks_for_a_count_in_a_form() {
    let mut app = app();
    app.on_key(key('S'));
    assert_eq!(app.form.as_ref().unwrap().value("Replicas"), "3");
    app.on_key(code(KeyCode::Backspace));
    app.on_key(key('x'));
    assert_eq!(app.on_key(code(KeyCode::Enter)), vec![]);
    let err = app.form.as_ref().unwrap().error.clone().unwrap();
    assert!(err.starts_with("Replicas: "), "{err}");
    app.on_key(code(KeyCode::Backspace));
    app.on_key(key('7'));
    assert_eq!(
        app.on_key(code(KeyCode::Enter)),
        vec![service(ServiceVerb::Scale(7))]
    );
    assert!(app.form.is_none());
}

#[test]
fn u_rolls_an_update_of_the_image_and_env() {
    let mut app = app();
    app.on_key(key('u'));
    let f = app.form.as_ref().unwrap();
    assert_eq!(f.value("Image"), "busybox:latest");
    assert_eq!(f.value("Env"), "MODE=blue");
    for _ in 0.."latest".len() {
        app.on_key(code(KeyCode::Backspace));
    }
    for c in "1.36\tX".chars() {
        app.on_key(if c == '\t' {
            code(KeyCode::Enter)
        } else {
            key(c)
        });
    }
    // Enter on the image moved to the env, where it begins a new line.
    app.on_key(code(KeyCode::Enter));
    for c in "MODE=green".chars() {
        app.on_key(key(c));
    }
    let r = app.on_key(ctrl_s());
    assert_eq!(
        r,
        vec![service(ServiceVerb::Update {
            image: "busybox:1.36".into(),
            env: vec!["MODE=blueX".into(), "MODE=green".into()],
        })]
    );
}

#[test]
fn roll_back_and_remove_ask_first() {
    let mut app = app();
    assert_eq!(app.on_key(key('B')), vec![]);
    assert_eq!(app.message, "roll web back to its previous spec? y/n");
    assert_eq!(app.on_key(key('y')), vec![service(ServiceVerb::Rollback)]);
    assert_eq!(app.on_key(key('d')), vec![]);
    assert_eq!(app.message, "remove service web and its tasks? y/n");
    assert_eq!(app.on_key(key('n')), vec![]);
    assert_eq!(app.message, "cancelled");
    app.on_key(key('d'));
    assert_eq!(app.on_key(key('y')), vec![service(ServiceVerb::Remove)]);
}

#[test]
fn enter_moves_into_the_tasks_and_on_to_a_container() {
    let mut app = app();
    app.on_key(code(KeyCode::Enter));
    assert_eq!(app.services.task, Some(0));
    assert_eq!(app.selected_task().unwrap().name, "web.1");
    // web.1's container is not listed: the jump says so.
    assert_eq!(app.on_key(code(KeyCode::Enter)), vec![]);
    assert_eq!(app.message, "web.1's container is gone");
    app.on_key(key('j'));
    assert_eq!(app.selected_task().unwrap().name, "web.2");
    let r = app.on_key(code(KeyCode::Enter));
    assert_eq!(app.tab, Tab::Containers);
    assert_eq!(app.selected_container().unwrap().id, "ctr-t2newaaaaaaaaaaa");
    assert_eq!(
        r,
        vec![
            Request::View(Tab::Containers),
            Request::Select(Some("ctr-t2newaaaaaaaaaaa".into())),
        ]
    );
    // Back on the pane, the keys are still in the tasks until Esc; l goes to the logs.
    app.on_key(key('0'));
    app.on_key(key('l'));
    assert_eq!(app.tab, Tab::Logs);
    app.on_key(key('0'));
    app.on_key(code(KeyCode::Esc));
    assert_eq!(app.services.task, None);
    app.on_key(key('k'));
    assert_eq!(app.selected_service().unwrap().name, "agent");
}

#[test]
fn the_selection_follows_its_service_and_a_swarm_left_stops_the_keys() {
    let mut app = app();
    // web goes: the selection stays on its line (now the last one).
    let (SwarmView::Active(mut rows), _, _) = swarm() else {
        panic!("not active")
    };
    rows.retain(|r| r.name != "web");
    let snap = Snapshot {
        swarm: SwarmView::Active(rows),
        ..app.snap.clone()
    };
    let r = app.receive(Msg::Snapshot(Box::new(snap)));
    assert_eq!(app.selected_service().unwrap().name, "agent");
    assert_eq!(r, vec![Request::SelectService(Some("svcagent".into()))]);
    let snap = Snapshot {
        swarm: SwarmView::Inactive,
        ..app.snap.clone()
    };
    app.receive(Msg::Snapshot(Box::new(snap)));
    assert_eq!(app.on_key(key('+')), vec![]);
    assert_eq!(app.message, "not in a swarm: `:swarm init` starts one");
}
