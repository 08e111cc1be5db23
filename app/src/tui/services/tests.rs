//! The services pane's data from fixture models: exact fields, as `service ls` and
//! `service ps` word them.

use bollard::models as m;

use super::fixtures::*;
use super::*;

#[test]
fn a_service_row_has_service_ls_columns_and_its_stack() {
    let mut s = web();
    let r = service_row(&s);
    assert_eq!(
        (r.name.as_str(), r.mode.as_str(), r.replicas.as_str()),
        ("web", "replicated", "2/3")
    );
    assert_eq!(r.image, "busybox:latest");
    assert_eq!(r.ports, "*:4000->80/tcp");
    assert_eq!(r.spec_replicas, Some(3));
    assert_eq!(r.env, ["MODE=blue"]);
    assert_eq!(r.stack, "");
    if let Some(spec) = s.spec.as_mut() {
        spec.labels = Some([(STACK_LABEL.to_string(), "shop".to_string())].into());
        spec.mode = Some(m::ServiceSpecMode {
            global: Some(Default::default()),
            ..Default::default()
        });
    }
    let r = service_row(&s);
    assert_eq!((r.stack.as_str(), r.mode.as_str()), ("shop", "global"));
    assert_eq!(r.spec_replicas, None);
}

#[test]
fn tasks_read_as_service_ps_lists_them() {
    let d = details(
        &web(),
        web_tasks(),
        &web_tasks(),
        &Default::default(),
        at("2026-01-01T12:00:10Z"),
    );
    let names: Vec<&str> = d.tasks.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["web.1", "web.2", " \\_ web.2", "web.3"]);
    let old = &d.tasks[2];
    assert!(old.older);
    assert_eq!(old.desired, "Shutdown");
    assert_eq!(old.current, "Failed about an hour ago");
    assert_eq!(old.error, "\"task: non-zero exit (137)\"");
    assert_eq!(old.state, "failed");
    let new = &d.tasks[1];
    assert_eq!(new.current, "Running 8 seconds ago");
    assert_eq!(new.container.as_deref(), Some("ctr-t2newaaaaaaaaaaa"));
    assert_eq!(new.id, "t2newaaaaaaa");
    assert_eq!(new.image, "busybox:latest");
    assert_eq!(
        d.converge,
        Converge {
            running: 2,
            desired: 3
        }
    );
    assert!(!d.converge.done());
    assert_eq!(
        d.update,
        "updating, started 10 seconds ago: update in progress"
    );
}

#[test]
fn only_running_tasks_of_the_current_spec_count_as_converged() {
    let mut s = web();
    // None runs the current spec (the engine's `_up-to-date` found none).
    assert_eq!(converge(&s, &[]).running, 0);
    // Of these, two run, one prepares, one failed.
    let c = converge(&s, &web_tasks());
    assert_eq!((c.running, c.desired), (2, 3));
    s.update_status = None;
    assert_eq!(update_line(&s, at("2026-01-01T12:00:10Z")), "");
}
