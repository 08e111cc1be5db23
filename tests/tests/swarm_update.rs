//! Rolling updates of a swarm service with real task containers (busybox under two
//! tags): stop-first order and the delay between batches, read back from the task
//! containers' start and finish times; a failing update rolled back, and one paused
//! then resumed by a new `service update`. Only orders are asserted, never speeds:
//! every wait polls with a deadline.

use berth_tests::swarm::{replicas, LeaveSwarm};
use berth_tests::{eventually, Berth};
use chrono::{DateTime, Utc};

fn update_state(b: &Berth, service: &str) -> String {
    let out = b.ok(&["service", "inspect", service]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    v[0]["UpdateStatus"]["State"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A task container as `inspect` tells it.
#[derive(Debug)]
struct TaskContainer {
    slot: String,
    image: String,
    args: String,
    running: bool,
    started: DateTime<Utc>,
    finished: Option<DateTime<Utc>>,
}

fn time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
        // Go's zero time: never finished.
        .filter(|t| t.timestamp() > 0)
}

/// Every task container of `service` (named `service.SLOT.TASKID`).
fn task_containers(b: &Berth, service: &str) -> Vec<TaskContainer> {
    let names = b.ok(&[
        "ps",
        "-a",
        "--filter",
        &format!("label=com.docker.swarm.service.name={service}"),
        "--format",
        "{{.Names}}",
    ]);
    names
        .lines()
        .map(|name| {
            let fmt = "{{.Config.Image}}|{{json .Config.Cmd}}|{{.State.Running}}|{{.State.StartedAt}}|{{.State.FinishedAt}}";
            let out = b.inspect(name, fmt);
            let f: Vec<&str> = out.trim().split('|').collect();
            assert_eq!(f.len(), 5, "{name}: {out}");
            TaskContainer {
                slot: name.split('.').nth(1).unwrap_or_default().to_string(),
                image: f[0].to_string(),
                args: f[1].to_string(),
                running: f[2] == "true",
                started: time(f[3]).unwrap_or_else(|| panic!("{name} never started: {out}")),
                finished: time(f[4]),
            }
        })
        .collect()
}

fn swarm_with_web(b: &Berth) {
    b.busybox_image("busybox:one");
    b.busybox_image("busybox:two");
    b.ok(&["swarm", "init", "--advertise-addr", "127.0.0.1"]);
}

fn create_web(b: &Berth, extra: &[&str]) {
    let mut args = vec![
        "service",
        "create",
        "-d",
        "--name",
        "web",
        "--replicas",
        "3",
        "--stop-grace-period",
        "1s",
    ];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["busybox:one", "sleep", "1000"]);
    b.ok(&args);
    assert!(
        eventually(60, || replicas(b, "web") == "3/3"),
        "{}",
        b.ok(&["service", "ps", "web"])
    );
}

#[test]
fn an_update_stops_each_old_task_before_its_new_one_and_waits_the_delay() {
    let b = Berth::new();
    swarm_with_web(&b);
    let _leave = LeaveSwarm(&b);
    create_web(
        &b,
        &[
            "--update-delay",
            "2s",
            "--update-parallelism",
            "1",
            "--update-monitor",
            "1s",
        ],
    );
    assert_eq!(update_state(&b, "web"), "", "a new service has no update");

    let o = b.run(&["service", "update", "--image", "busybox:two", "web"]);
    assert_eq!(o.code, 0, "{}", o.show());
    assert!(
        o.stdout.ends_with("verify: Service converged\n"),
        "{}",
        o.show()
    );
    assert!(eventually(30, || update_state(&b, "web") == "completed"));
    let pretty = b.ok(&["service", "inspect", "--pretty", "web"]);
    assert!(
        pretty.contains("UpdateStatus:\n State:\t\tcompleted\n Started:\t")
            && pretty.contains("\n Message:\tupdate completed\n"),
        "{pretty}"
    );

    let all = task_containers(&b, "web");
    let mut new: Vec<&TaskContainer> = all.iter().filter(|c| c.image == "busybox:two").collect();
    assert_eq!(new.len(), 3, "{all:#?}");
    assert!(new.iter().all(|c| c.running), "{all:#?}");
    for n in &new {
        let old: Vec<&TaskContainer> = all
            .iter()
            .filter(|c| c.slot == n.slot && c.image == "busybox:one")
            .collect();
        assert_eq!(old.len(), 1, "slot {}: {all:#?}", n.slot);
        let stopped = old[0].finished.unwrap_or_else(|| panic!("{:#?}", old[0]));
        assert!(
            stopped <= n.started,
            "slot {}: the old task stopped at {stopped}, the new one started at {}",
            n.slot,
            n.started
        );
    }
    // One at a time, each batch at least the delay after the one before came up.
    new.sort_by_key(|c| c.started);
    for pair in new.windows(2) {
        let gap = pair[1].started - pair[0].started;
        assert!(gap >= chrono::Duration::seconds(2), "{pair:#?}");
    }
}

#[test]
fn a_failing_update_rolls_back_or_pauses_per_its_failure_action() {
    let b = Berth::new();
    swarm_with_web(&b);
    let _leave = LeaveSwarm(&b);
    create_web(&b, &["--update-monitor", "1s"]);
    let good = b.ok(&[
        "service",
        "inspect",
        "-f",
        "{{json .Spec.TaskTemplate.ContainerSpec.Args}}",
        "web",
    ]);

    // Rolled back: the CLI follows the rollback to its end, as Docker's does.
    let o = b.run(&[
        "service",
        "update",
        "--update-failure-action",
        "rollback",
        "--update-monitor",
        "3s",
        "--args",
        "sh -c \"exit 1\"",
        "web",
    ]);
    assert_eq!(o.code, 0, "{}", o.show());
    assert!(
        o.stdout.contains("verify: Service converged"),
        "{}",
        o.show()
    );
    for line in o.stdout.lines().filter(|l| l.starts_with("rollback: ")) {
        assert!(
            line.starts_with(
                "rollback: update rolled back due to failure or early termination of task "
            ) || line == "rollback: rollback completed",
            "{}",
            o.show()
        );
    }
    assert!(eventually(30, || update_state(&b, "web") == "rollback_completed"));
    let args = b.ok(&[
        "service",
        "inspect",
        "-f",
        "{{json .Spec.TaskTemplate.ContainerSpec.Args}}",
        "web",
    ]);
    assert_eq!(args, good, "the spec is the one before the update");
    assert!(
        eventually(60, || {
            let all = task_containers(&b, "web");
            let running: Vec<_> = all.iter().filter(|c| c.running).collect();
            running.len() == 3 && running.iter().all(|c| c.args.contains("1000"))
        }),
        "{:#?}",
        task_containers(&b, "web")
    );

    // Paused: the CLI says so in Docker's words and fails; the old tasks keep running.
    let o = b.run(&[
        "service",
        "update",
        "--update-failure-action",
        "pause",
        "--update-monitor",
        "3s",
        "--args",
        "sh -c \"exit 1\"",
        "web",
    ]);
    assert_ne!(o.code, 0, "{}", o.show());
    assert!(
        o.stderr.contains(
            "service update paused: update paused due to failure or early termination of task "
        ),
        "{}",
        o.show()
    );
    assert_eq!(update_state(&b, "web"), "paused");
    let pretty = b.ok(&["service", "inspect", "--pretty", "web"]);
    assert!(
        pretty.contains("UpdateStatus:\n State:\t\tpaused\n")
            && pretty
                .contains(" Message:\tupdate paused due to failure or early termination of task "),
        "{pretty}"
    );
    // Paused for good: what still runs the old command keeps running, and no more
    // slots are taken (the tried slot's task is restarted per its policy, failing).
    let old_running = || {
        task_containers(&b, "web")
            .iter()
            .filter(|c| c.running && c.args.contains("1000"))
            .count()
    };
    let before = old_running();
    assert!(
        (1..3).contains(&before),
        "{:#?}",
        task_containers(&b, "web")
    );
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert_eq!(old_running(), before, "{:#?}", task_containers(&b, "web"));
    assert_eq!(update_state(&b, "web"), "paused");

    // A new `service update` resumes: back to a good command, to the end.
    let o = b.run(&["service", "update", "--args", "sleep 1001", "web"]);
    assert_eq!(o.code, 0, "{}", o.show());
    assert!(eventually(30, || update_state(&b, "web") == "completed"));
    assert!(
        eventually(60, || {
            let all = task_containers(&b, "web");
            let running: Vec<_> = all.iter().filter(|c| c.running).collect();
            running.len() == 3 && running.iter().all(|c| c.args.contains("1001"))
        }),
        "{:#?}",
        task_containers(&b, "web")
    );
}
