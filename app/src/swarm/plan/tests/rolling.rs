//! Rolling updates, round by round against a fake host whose containers stop only
//! when the test says so, and whose containers of a bad image exit at once.

use super::*;
use berth_engine::swarm::services;
use m::ServiceUpdateStatusStateEnum as U;

const BAD: &str = "web:bad";

/// The containers of the tasks, as the manager would see them.
#[derive(Default)]
struct Host {
    seen: HashMap<String, Observed>,
    /// Containers told to stop that still run until [`Host::finish_stops`].
    stopping: Vec<String>,
    /// Slots whose tasks of the bad image fail (all when empty).
    bad_slots: Vec<i64>,
    /// New containers start with their healthcheck not passed yet.
    health_starting: bool,
}

impl Host {
    /// One manager round at `now`: reconcile, then carry out the actions.
    fn round(&mut self, st: &mut State, now: DateTime<Utc>) -> Vec<Action> {
        let actions = reconcile(st, &self.seen, now);
        for a in &actions {
            match a {
                Action::Start { task_id } => {
                    let t = &st.tasks[task_id];
                    let fails = image(t) == BAD
                        && (self.bad_slots.is_empty()
                            || self.bad_slots.contains(&t.slot.unwrap_or(0)));
                    self.seen.insert(
                        task_id.clone(),
                        Observed {
                            container_id: format!("c-{task_id}"),
                            running: !fails,
                            exit_code: i64::from(fails),
                            unhealthy: false,
                            starting: self.health_starting && !fails,
                            pid: 42,
                        },
                    );
                }
                Action::Stop { container_id, .. } => self.stopping.push(container_id.clone()),
                Action::Remove { container_id } => {
                    self.seen.retain(|_, o| o.container_id != *container_id)
                }
            }
        }
        actions
    }

    fn finish_stops(&mut self) {
        for c in self.stopping.drain(..) {
            for o in self.seen.values_mut().filter(|o| o.container_id == c) {
                o.running = false;
                o.exit_code = 137;
            }
        }
    }

    fn healthy(&mut self) {
        for o in self.seen.values_mut() {
            o.starting = false;
        }
    }

    /// Rounds a second apart, stops finishing at once, until `done` or 100 rounds.
    fn run(
        &mut self,
        st: &mut State,
        now: &mut DateTime<Utc>,
        done: impl Fn(&State) -> bool,
    ) -> bool {
        for _ in 0..100 {
            self.round(st, *now);
            self.finish_stops();
            *now += Duration::seconds(1);
            if done(st) {
                return true;
            }
        }
        false
    }
}

fn image(t: &m::Task) -> &str {
    t.spec
        .as_ref()
        .and_then(|s| s.container_spec.as_ref())
        .and_then(|c| c.image.as_deref())
        .unwrap_or_default()
}

fn record(st: &State) -> &berth_engine::swarm::ServiceRecord {
    st.services.values().next().unwrap()
}

fn update_state(st: &State) -> Option<U> {
    record(st).service.update_status.as_ref()?.state
}

fn update_message(st: &State) -> String {
    let s = record(st).service.update_status.as_ref();
    s.and_then(|s| s.message.clone()).unwrap_or_default()
}

/// The images of the tasks that hold their slots, by slot.
fn images(st: &State) -> Vec<(i64, String)> {
    let mut v: Vec<(i64, String)> = st
        .tasks
        .values()
        .filter(|t| wanted(t))
        .map(|t| (t.slot.unwrap_or(0), image(t).to_string()))
        .collect();
    v.sort();
    v
}

/// A service of `replicas` running `web:1`, all up, at `now`.
fn running(replicas: i64, now: &mut DateTime<Utc>) -> (State, Host) {
    let mut st = swarm_with(replicas);
    let mut host = Host::default();
    host.round(&mut st, *now);
    *now += Duration::seconds(1);
    host.round(&mut st, *now);
    *now += Duration::seconds(1);
    assert_eq!(images(&st).len(), replicas as usize);
    (st, host)
}

/// `service update` through the records' own update: the new image and config.
fn update(st: &mut State, img: &str, config: m::ServiceSpecUpdateConfig) {
    let rec = record(st).clone();
    let mut spec = rec.service.spec.clone().unwrap();
    spec.task_template
        .as_mut()
        .unwrap()
        .container_spec
        .as_mut()
        .unwrap()
        .image = Some(img.into());
    spec.update_config = Some(config);
    let version = rec.service.version.unwrap().index.unwrap();
    services::update(st, "web", version, spec, "2026-12-07T12:00:00Z").unwrap();
}

fn config(parallelism: i64, delay_s: i64) -> m::ServiceSpecUpdateConfig {
    m::ServiceSpecUpdateConfig {
        parallelism: Some(parallelism),
        delay: Some(delay_s * 1_000_000_000),
        monitor: Some(5_000_000_000),
        ..Default::default()
    }
}

fn failing(action: m::ServiceSpecUpdateConfigFailureActionEnum) -> m::ServiceSpecUpdateConfig {
    m::ServiceSpecUpdateConfig {
        failure_action: Some(action),
        ..config(1, 0)
    }
}

fn stops(actions: &[Action]) -> usize {
    actions
        .iter()
        .filter(|a| matches!(a, Action::Stop { .. }))
        .count()
}

#[test]
fn stop_first_starts_the_new_task_only_once_the_old_container_has_stopped() {
    let mut now = t0();
    let (mut st, mut host) = running(2, &mut now);
    update(&mut st, "web:2", config(1, 0));
    let a = host.round(&mut st, now);
    assert_eq!(stops(&a), 1, "{a:?}");
    assert!(starts(&a).is_empty(), "the old container still runs: {a:?}");
    assert_eq!(update_state(&st), Some(U::UPDATING));
    assert_eq!(update_message(&st), "update in progress");
    let ready: Vec<_> = st
        .tasks
        .values()
        .filter(|t| t.desired_state == Some(m::TaskState::READY))
        .collect();
    assert_eq!(ready.len(), 1);
    assert_eq!(image(ready[0]), "web:2");
    // Still stopping, rounds later: nothing starts, nothing more is created.
    for _ in 0..3 {
        now += Duration::seconds(1);
        let a = host.round(&mut st, now);
        assert!(starts(&a).is_empty(), "{a:?}");
    }
    assert_eq!(st.tasks.len(), 3);
    host.finish_stops();
    now += Duration::seconds(1);
    let a = host.round(&mut st, now);
    assert_eq!(starts(&a).len(), 1, "{a:?}");
    // And so on to the end: both slots on the new image, the update completed.
    assert!(host.run(&mut st, &mut now, |st| update_state(st)
        == Some(U::COMPLETED)));
    assert_eq!(
        images(&st),
        [(1, "web:2".to_string()), (2, "web:2".to_string())]
    );
    assert_eq!(update_message(&st), "update completed");
    let status = record(&st).service.update_status.clone().unwrap();
    assert!(status.started_at.is_some() && status.completed_at.is_some());
}

#[test]
fn start_first_stops_the_old_task_once_the_new_one_is_up_and_healthy() {
    let mut now = t0();
    let (mut st, mut host) = running(1, &mut now);
    host.health_starting = true;
    update(
        &mut st,
        "web:2",
        m::ServiceSpecUpdateConfig {
            order: Some(m::ServiceSpecUpdateConfigOrderEnum::START_FIRST),
            ..config(1, 0)
        },
    );
    let a = host.round(&mut st, now);
    assert_eq!((starts(&a).len(), stops(&a)), (1, 0), "{a:?}");
    // Up but its healthcheck not passed: the old task keeps running.
    for _ in 0..2 {
        now += Duration::seconds(1);
        let a = host.round(&mut st, now);
        assert_eq!(stops(&a), 0, "{a:?}");
    }
    assert_eq!(images(&st).len(), 2, "both run side by side");
    let new = st.tasks.values().find(|t| image(t) == "web:2").unwrap();
    assert_eq!(
        new.status.as_ref().unwrap().state,
        Some(m::TaskState::STARTING)
    );
    host.healthy();
    now += Duration::seconds(1);
    let a = host.round(&mut st, now);
    assert_eq!(stops(&a), 1, "{a:?}");
    assert_eq!(images(&st), [(1, "web:2".to_string())]);
}

#[test]
fn batches_of_parallelism_wait_out_the_delay_after_the_last_came_up() {
    let mut now = t0();
    let (mut st, mut host) = running(3, &mut now);
    update(&mut st, "web:2", config(2, 10));
    host.round(&mut st, now);
    let new = |st: &State| images(st).iter().filter(|(_, i)| i == "web:2").count();
    // Two slots at once; once up, the delay holds the third.
    let up = host.run(&mut st, &mut now, |st| new(st) == 2);
    assert!(up);
    host.run(&mut st, &mut now, |st| {
        st.tasks
            .values()
            .filter(|t| image(t) == "web:2")
            .all(|t| t.status.as_ref().unwrap().state == Some(m::TaskState::RUNNING))
    });
    let came_up = now;
    let three = |st: &State| st.tasks.values().filter(|t| image(t) == "web:2").count() == 3;
    assert!(host.run(&mut st, &mut now, three));
    let third = st
        .tasks
        .values()
        .filter(|t| image(t) == "web:2")
        .filter_map(|t| parse_time(t.created_at.as_deref()))
        .max()
        .unwrap();
    assert!(
        third >= came_up + Duration::seconds(9),
        "the third slot waited the delay: {came_up} {third}"
    );
    assert!(host.run(&mut st, &mut now, |st| update_state(st)
        == Some(U::COMPLETED)));
    // Parallelism 0: every slot at once.
    update(&mut st, "web:3", config(0, 10));
    host.round(&mut st, now);
    let ready = st.tasks.values().filter(|t| image(t) == "web:3").count();
    assert_eq!(ready, 3);
}

#[test]
fn a_failure_within_the_monitor_pauses_the_update_and_a_new_update_resumes() {
    let mut now = t0();
    let (mut st, mut host) = running(3, &mut now);
    update(
        &mut st,
        BAD,
        failing(m::ServiceSpecUpdateConfigFailureActionEnum::PAUSE),
    );
    assert!(host.run(&mut st, &mut now, |st| update_state(st) == Some(U::PAUSED)));
    let failed = st
        .tasks
        .values()
        .find(|t| image(t) == BAD && t.status.as_ref().unwrap().state == Some(m::TaskState::FAILED))
        .unwrap()
        .id
        .clone()
        .unwrap();
    assert_eq!(
        update_message(&st),
        format!("update paused due to failure or early termination of task {failed}")
    );
    // Paused: slots 2 and 3 keep the old image for good.
    for _ in 0..20 {
        host.round(&mut st, now);
        host.finish_stops();
        now += Duration::seconds(1);
    }
    let old = images(&st).iter().filter(|(_, i)| i == "web:1").count();
    assert_eq!(old, 2);
    assert_eq!(update_state(&st), Some(U::PAUSED));
    // `service update` again (a good image): the update runs again to the end.
    update(&mut st, "web:2", config(1, 0));
    assert_eq!(update_state(&st), None);
    assert!(host.run(&mut st, &mut now, |st| update_state(st)
        == Some(U::COMPLETED)));
    assert!(images(&st).iter().all(|(_, i)| i == "web:2"));
}

#[test]
fn with_continue_failures_do_not_stop_the_update() {
    let mut now = t0();
    let (mut st, mut host) = running(3, &mut now);
    update(
        &mut st,
        BAD,
        failing(m::ServiceSpecUpdateConfigFailureActionEnum::CONTINUE),
    );
    assert!(host.run(&mut st, &mut now, |st| update_state(st)
        == Some(U::COMPLETED)));
    assert!(!images(&st).iter().any(|(_, i)| i == "web:1"));
}

#[test]
fn a_failure_with_rollback_restores_the_previous_spec_per_the_rollback_config() {
    let mut now = t0();
    let (mut st, mut host) = running(3, &mut now);
    // The rollback config comes from the spec rolled back to: all slots at once.
    let id = st.services.keys().next().unwrap().clone();
    let spec = st
        .services
        .get_mut(&id)
        .unwrap()
        .service
        .spec
        .as_mut()
        .unwrap();
    spec.rollback_config = Some(m::ServiceSpecRollbackConfig {
        parallelism: Some(0),
        ..Default::default()
    });
    // Two slots go bad at once, the second fails after the first.
    host.bad_slots = vec![1, 2];
    update(
        &mut st,
        BAD,
        m::ServiceSpecUpdateConfig {
            parallelism: Some(2),
            ..failing(m::ServiceSpecUpdateConfigFailureActionEnum::ROLLBACK)
        },
    );
    let version = record(&st).service.version.clone();
    assert!(host.run(&mut st, &mut now, |st| {
        update_state(st) == Some(U::ROLLBACK_STARTED)
    }));
    assert!(update_message(&st)
        .starts_with("update rolled back due to failure or early termination of task "));
    assert_ne!(record(&st).service.version, version, "the spec changed");
    assert!(record(&st).previous_spec.is_none());
    assert!(host.run(&mut st, &mut now, |st| {
        update_state(st) == Some(U::ROLLBACK_COMPLETED)
    }));
    assert_eq!(update_message(&st), "rollback completed");
    host.run(&mut st, &mut now, |st| images(st).len() == 3);
    assert!(
        images(&st).iter().all(|(_, i)| i == "web:1"),
        "{:?}",
        images(&st)
    );
}

#[test]
fn failures_up_to_the_max_ratio_are_tolerated() {
    let mut now = t0();
    let (mut st, mut host) = running(4, &mut now);
    host.bad_slots = vec![1];
    let tolerant = |ratio| m::ServiceSpecUpdateConfig {
        max_failure_ratio: Some(ratio),
        ..failing(m::ServiceSpecUpdateConfigFailureActionEnum::PAUSE)
    };
    // One bad slot in four: 0.25, not above 0.5.
    update(&mut st, BAD, tolerant(0.5));
    assert!(host.run(&mut st, &mut now, |st| update_state(st)
        == Some(U::COMPLETED)));
    // Three bad slots in four: above 0.5, paused.
    host.bad_slots = vec![1, 2, 3];
    update(&mut st, "web:1", config(1, 0));
    host.run(&mut st, &mut now, |st| {
        update_state(st) == Some(U::COMPLETED)
    });
    update(&mut st, BAD, tolerant(0.5));
    assert!(host.run(&mut st, &mut now, |st| update_state(st) == Some(U::PAUSED)));
    let failed = st
        .tasks
        .values()
        .filter(|t| image(t) == BAD)
        .filter(|t| t.status.as_ref().unwrap().state == Some(m::TaskState::FAILED))
        .filter_map(|t| t.slot)
        .collect::<std::collections::BTreeSet<_>>();
    assert_eq!(failed.len(), 3, "{failed:?}");
}

#[test]
fn a_failure_after_the_monitor_period_is_not_the_updates() {
    let mut now = t0();
    let (mut st, mut host) = running(1, &mut now);
    update(&mut st, "web:2", config(1, 0));
    // Up for the whole monitor period: the update completes, and the task dying later
    // is the restart policy's business, not the update's.
    assert!(host.run(&mut st, &mut now, |st| update_state(st)
        == Some(U::COMPLETED)));
    let t = st
        .tasks
        .values()
        .find(|t| wanted(t))
        .unwrap()
        .id
        .clone()
        .unwrap();
    host.seen.get_mut(&t).unwrap().running = false;
    host.round(&mut st, now);
    assert_eq!(update_state(&st), Some(U::COMPLETED));
}

#[test]
fn a_manual_rollback_uses_the_rollback_config_and_completes() {
    let mut now = t0();
    let (mut st, mut host) = running(3, &mut now);
    // The rollback config in force is the one of the spec rolled back to.
    let id = st.services.keys().next().unwrap().clone();
    let spec = st
        .services
        .get_mut(&id)
        .unwrap()
        .service
        .spec
        .as_mut()
        .unwrap();
    spec.rollback_config = Some(m::ServiceSpecRollbackConfig {
        parallelism: Some(2),
        ..Default::default()
    });
    update(&mut st, "web:2", config(0, 0));
    assert!(host.run(&mut st, &mut now, |st| update_state(st)
        == Some(U::COMPLETED)));
    let version = record(&st).service.version.clone().unwrap().index.unwrap();
    services::rollback(&mut st, "web", version, "2026-12-07T12:00:00Z").unwrap();
    assert_eq!(update_state(&st), Some(U::ROLLBACK_STARTED));
    assert_eq!(update_message(&st), "manually requested rollback");
    let a = host.round(&mut st, now);
    assert_eq!(stops(&a), 2, "two at a time: {a:?}");
    assert!(host.run(&mut st, &mut now, |st| {
        update_state(st) == Some(U::ROLLBACK_COMPLETED)
    }));
    assert!(images(&st).iter().all(|(_, i)| i == "web:1"));
}
