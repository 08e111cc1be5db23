//! `berth events` through the real binary: followed as they happen (inotify), read back
//! with --since/--until, filtered, in Docker's JSON shape.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use berth_tests::Berth;

#[test]
fn a_containers_life_is_followed_live_then_read_back() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let since = format!(
        "{:.3}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64()
    );
    let mut follower = b
        .cmd()
        .args([
            "events",
            "--filter",
            "type=container",
            "--format",
            "{{json .}}",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let out = follower.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Let the follower start watching before anything happens.
    std::thread::sleep(Duration::from_millis(300));
    let id = b.ok(&["run", "-d", "--name", "life", "busybox", "sleep", "1000"]);
    b.ok(&["exec", "life", "true"]);
    b.ok(&["pause", "life"]);
    b.ok(&["unpause", "life"]);
    b.ok(&["rename", "life", "life2"]);
    b.ok(&["stop", "-t", "1", "life2"]);
    b.ok(&["rm", "life2"]);
    let want = [
        "create",
        "start",
        "exec_create: true",
        "exec_start: true",
        "exec_die",
        "pause",
        "unpause",
        "rename",
        "kill",
        "die",
        "stop",
        "destroy",
    ];
    let mut got = Vec::new();
    while got.len() < want.len() + 1 {
        match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(l) => got.push(l),
            Err(_) => break,
        }
        if got.last().is_some_and(|l| l.contains("\"destroy\"")) {
            break;
        }
    }
    let _ = follower.kill();
    let _ = follower.wait();
    let events: Vec<serde_json::Value> = got
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["Action"].as_str().unwrap())
        .collect();
    // SIGTERM then SIGKILL for a shell that ignores TERM: one or two kills.
    let squeezed: Vec<&str> = actions
        .iter()
        .enumerate()
        .filter(|(i, a)| !(**a == "kill" && actions.get(i + 1) == Some(&"kill")))
        .map(|(_, a)| *a)
        .collect();
    assert_eq!(squeezed, want, "{actions:?}");
    for e in &events {
        assert_eq!(e["Type"], "container");
        assert_eq!(e["Actor"]["ID"], id.as_str());
        assert!(e["timeNano"].as_i64().unwrap() / 1_000_000_000 == e["time"].as_i64().unwrap());
        assert_eq!(e["Actor"]["Attributes"]["image"], "busybox");
    }
    assert_eq!(events[7]["Actor"]["Attributes"]["oldName"], "/life");
    let die = events.iter().find(|e| e["Action"] == "die").unwrap();
    assert!(die["Actor"]["Attributes"]["exitCode"].as_str().is_some());

    // The same story read back from the journal, by name and by event.
    let back = b.ok(&[
        "events",
        "--since",
        &since,
        "--until",
        "0s",
        "--filter",
        "container=life2",
        "--filter",
        "event=die",
        "--filter",
        "event=destroy",
        "--format",
        "{{.Action}}",
    ]);
    assert_eq!(back, "die\ndestroy");
    let default_line = b.ok(&[
        "events",
        "--since",
        &since,
        "--until",
        "0s",
        "--filter",
        "event=create",
    ]);
    assert!(
        default_line.contains(&format!(
            " container create {id} (image=busybox, name=life)"
        )),
        "{default_line}"
    );

    // Other kinds of objects.
    b.ok(&["volume", "create", "vol1"]);
    b.ok(&["volume", "rm", "vol1"]);
    let vols = b.ok(&[
        "events",
        "--since",
        &since,
        "--until",
        "0s",
        "--filter",
        "type=volume",
        "--format",
        "{{.Action}} {{.Actor.ID}}",
    ]);
    assert_eq!(vols, "create vol1\ndestroy vol1");
    let bad = b.run(&["events", "--since", "yesterday", "--until", "0s"]);
    assert!(bad.stderr.contains("--since"), "{}", bad.stderr);
}
