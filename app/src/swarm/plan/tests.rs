use super::*;
use berth_engine::swarm::cluster::{init, HostResources};
use berth_engine::swarm::services;
use chrono::Duration;

mod rolling;

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-07T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn swarm_with(replicas: i64) -> State {
    let mut st = State::default();
    let res = HostResources {
        nano_cpus: 2_000_000_000,
        memory_bytes: 1 << 30,
    };
    init(&mut st, "10.0.0.1", res, "2026-12-07T11:00:00Z", None).unwrap();
    let spec = m::ServiceSpec {
        name: Some("web".into()),
        mode: Some(m::ServiceSpecMode {
            replicated: Some(m::ServiceSpecModeReplicated {
                replicas: Some(replicas),
            }),
            ..Default::default()
        }),
        task_template: Some(m::TaskSpec {
            container_spec: Some(m::TaskSpecContainerSpec {
                image: Some("web:1".into()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    services::create(&mut st, spec, "2026-12-07T11:00:00Z").unwrap();
    st
}

fn starts(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Start { task_id } => Some(task_id.clone()),
            _ => None,
        })
        .collect()
}

/// Every wanted task's container, running or ended with `exit_code`.
fn all_observed(st: &State, running: bool, exit_code: i64) -> HashMap<String, Observed> {
    st.tasks
        .iter()
        .filter(|(_, t)| wanted(t))
        .map(|(id, _)| {
            let o = Observed {
                container_id: format!("c-{id}"),
                running,
                exit_code,
                unhealthy: false,
                starting: false,
                pid: if running { 42 } else { 0 },
            };
            (id.clone(), o)
        })
        .collect()
}

/// Every started task's container running.
fn all_running(st: &State) -> HashMap<String, Observed> {
    all_observed(st, true, 0)
}

/// The service's task template (the one service of these tests).
fn template(st: &mut State) -> &mut m::TaskSpec {
    let svc = st.services.values_mut().next().unwrap();
    svc.service
        .spec
        .as_mut()
        .unwrap()
        .task_template
        .as_mut()
        .unwrap()
}

fn running_slots(st: &State) -> Vec<i64> {
    let mut s: Vec<i64> = st
        .tasks
        .values()
        .filter(|t| wanted(t))
        .filter_map(|t| t.slot)
        .collect();
    s.sort();
    s
}

#[test]
fn one_task_per_slot_and_nothing_more_once_running() {
    let mut st = swarm_with(3);
    let a = reconcile(&mut st, &HashMap::new(), t0());
    assert_eq!(starts(&a).len(), 3);
    assert_eq!(running_slots(&st), [1, 2, 3]);
    let seen = all_running(&st);
    let again = reconcile(&mut st, &seen, t0());
    assert!(again.is_empty(), "{again:?}");
    assert!(st
        .tasks
        .values()
        .all(|t| t.status.as_ref().unwrap().state == Some(m::TaskState::RUNNING)));
}

#[test]
fn a_vanished_container_fails_its_task_and_the_slot_is_refilled_after_the_delay() {
    let mut st = swarm_with(2);
    reconcile(&mut st, &HashMap::new(), t0());
    let mut seen = all_running(&st);
    reconcile(&mut st, &seen, t0());
    // `rm -f` of slot 1's container.
    let victim = st
        .tasks
        .values()
        .find(|t| t.slot == Some(1))
        .unwrap()
        .id
        .clone()
        .unwrap();
    seen.remove(&victim);
    let a = reconcile(&mut st, &seen, t0());
    assert!(starts(&a).is_empty(), "the restart delay holds: {a:?}");
    let failed = &st.tasks[&victim];
    assert_eq!(
        failed.status.as_ref().unwrap().state,
        Some(m::TaskState::FAILED)
    );
    assert_eq!(
        failed.status.as_ref().unwrap().err.as_deref(),
        Some("task: non-zero exit (137)")
    );
    let a = reconcile(&mut st, &seen, t0() + Duration::seconds(5));
    assert_eq!(starts(&a).len(), 1);
    assert_eq!(running_slots(&st), [1, 2]);
    // The failed task stays in the slot's history.
    assert!(st.tasks.contains_key(&victim));
}

#[test]
fn scaling_down_shuts_the_highest_slots_and_drain_shuts_all() {
    let mut st = swarm_with(3);
    reconcile(&mut st, &HashMap::new(), t0());
    let seen = all_running(&st);
    reconcile(&mut st, &seen, t0());
    let id = st.services.keys().next().unwrap().clone();
    let svc = st.services.get_mut(&id).unwrap();
    svc.service.spec.as_mut().unwrap().mode = Some(m::ServiceSpecMode {
        replicated: Some(m::ServiceSpecModeReplicated { replicas: Some(1) }),
        ..Default::default()
    });
    let a = reconcile(&mut st, &seen, t0());
    let stops = a
        .iter()
        .filter(|a| matches!(a, Action::Stop { .. }))
        .count();
    assert_eq!(stops, 2);
    assert_eq!(running_slots(&st), [1]);
    // Drain.
    st.cluster
        .as_mut()
        .unwrap()
        .node
        .spec
        .as_mut()
        .unwrap()
        .availability = Some(m::NodeSpecAvailabilityEnum::DRAIN);
    reconcile(&mut st, &seen, t0());
    assert!(running_slots(&st).is_empty());
}

#[test]
fn restart_policy_none_and_max_attempts_hold() {
    let mut st = swarm_with(1);
    template(&mut st).restart_policy = Some(m::TaskSpecRestartPolicy {
        condition: Some(m::TaskSpecRestartPolicyConditionEnum::ON_FAILURE),
        delay: Some(0),
        max_attempts: Some(2),
        window: None,
    });
    let mut now = t0();
    // Tasks started (a task started again after a lost start counts once).
    let mut started = std::collections::HashSet::new();
    for _ in 0..6 {
        let a = reconcile(&mut st, &HashMap::new(), now);
        started.extend(starts(&a));
        // Each start fails at once: exit 1.
        let seen = all_observed(&st, false, 1);
        started.extend(starts(&reconcile(&mut st, &seen, now)));
        now += Duration::seconds(1);
    }
    assert_eq!(
        started.len(),
        3,
        "the first run and max_attempts (2) restarts"
    );
}

#[test]
fn an_update_replaces_each_slot_once_and_history_is_kept_to_five() {
    let mut st = swarm_with(2);
    reconcile(&mut st, &HashMap::new(), t0());
    let mut seen = all_running(&st);
    reconcile(&mut st, &seen, t0());
    let id = st.services.keys().next().unwrap().clone();
    let spec = st.services[&id].service.spec.as_ref().unwrap();
    let mut new = spec.clone();
    new.task_template
        .as_mut()
        .unwrap()
        .container_spec
        .as_mut()
        .unwrap()
        .image = Some("web:2".into());
    new.update_config = Some(m::ServiceSpecUpdateConfig {
        parallelism: Some(1),
        delay: Some(0),
        ..Default::default()
    });
    st.services.get_mut(&id).unwrap().service.spec = Some(new);
    let a = reconcile(&mut st, &seen, t0());
    let stops = a
        .iter()
        .filter(|a| matches!(a, Action::Stop { .. }))
        .count();
    // One at a time, and stop-first: the new task waits for the old container.
    assert_eq!((stops, starts(&a).len()), (1, 0), "{a:?}");
    // Rounds in which stopped containers are gone and started ones run.
    for i in 1..8 {
        seen = all_running(&st);
        reconcile(&mut st, &seen, t0() + Duration::seconds(i));
    }
    assert_eq!(st.tasks.len(), 4, "one new task per slot");
    let images: Vec<_> = st
        .tasks
        .values()
        .filter(|t| wanted(t))
        .map(|t| {
            t.spec
                .as_ref()
                .unwrap()
                .container_spec
                .as_ref()
                .unwrap()
                .image
                .clone()
                .unwrap()
        })
        .collect();
    assert_eq!(images, ["web:2", "web:2"]);
    // Many failures in one slot: the slot keeps five tasks.
    for i in 0..10 {
        let now = t0() + Duration::seconds(10 + i * 10);
        let mut seen = all_running(&st);
        let victim = st
            .tasks
            .values()
            .find(|t| wanted(t) && t.slot == Some(1))
            .unwrap()
            .id
            .clone()
            .unwrap();
        seen.remove(&victim);
        st.tasks
            .get_mut(&victim)
            .unwrap()
            .status
            .as_mut()
            .unwrap()
            .state = Some(m::TaskState::RUNNING);
        reconcile(&mut st, &seen, now);
        reconcile(&mut st, &seen, now + Duration::seconds(6));
    }
    let slot1 = st.tasks.values().filter(|t| t.slot == Some(1)).count();
    assert_eq!(slot1, 5);
}

#[test]
fn a_reservation_larger_than_the_host_waits_saying_so() {
    let mut st = swarm_with(1);
    template(&mut st).resources = Some(m::TaskSpecResources {
        reservations: Some(m::ResourceObject {
            memory_bytes: Some(64 << 30),
            ..Default::default()
        }),
        ..Default::default()
    });
    let a = reconcile(&mut st, &HashMap::new(), t0());
    assert!(starts(&a).is_empty());
    let t = st.tasks.values().next().unwrap();
    assert_eq!(
        t.status.as_ref().unwrap().state,
        Some(m::TaskState::PENDING)
    );
    assert!(t
        .status
        .as_ref()
        .unwrap()
        .err
        .as_ref()
        .unwrap()
        .contains("no suitable node"));
}

#[test]
fn a_task_still_starting_without_a_container_is_started_again_not_failed() {
    let mut st = swarm_with(1);
    let first = starts(&reconcile(&mut st, &HashMap::new(), t0()));
    assert_eq!(first.len(), 1);
    // The manager died before it made the container: the next round starts it again.
    let again = starts(&reconcile(
        &mut st,
        &HashMap::new(),
        t0() + Duration::seconds(1),
    ));
    assert_eq!(again, first);
    assert_eq!(st.tasks.len(), 1);
    let t = st.tasks.values().next().unwrap();
    assert_eq!(
        t.status.as_ref().unwrap().state,
        Some(m::TaskState::STARTING)
    );
}
