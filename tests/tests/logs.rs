//! Log drivers as Docker's: json-file rotated by `--log-opt max-size/max-file` with
//! `logs` reading across the rotated files, `local` rotating by default, and `none`
//! keeping nothing (and `logs` saying so).

use berth_tests::{eventually, Berth};

/// The container's log files, current one included.
fn log_files(b: &Berth, name: &str) -> Vec<String> {
    let id = b.inspect(name, "{{.Id}}");
    let mut v: Vec<String> = std::fs::read_dir(b.root.join("containers").join(&id))
        .expect("container dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!("{id}-json.log")))
        .collect();
    v.sort();
    v
}

#[test]
fn json_file_rotates_and_logs_reads_across_the_files() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&[
        "run",
        "--name",
        "chatty",
        "--log-opt",
        "max-size=2k",
        "--log-opt",
        "max-file=3",
        "busybox",
        "sh",
        "-c",
        "i=0; while [ $i -lt 400 ]; do echo line $i; i=$((i+1)); done",
    ]);
    let files = log_files(&b, "chatty");
    assert_eq!(files.len(), 3, "{files:?}");
    let id = b.inspect("chatty", "{{.Id}}");
    for f in &files {
        let len = std::fs::metadata(b.root.join("containers").join(&id).join(f))
            .expect("stat")
            .len();
        assert!(len <= 2048, "{f} is {len} bytes");
    }
    // What is kept is the newest lines, in order, with nothing lost between files.
    let out = b.ok(&["logs", "chatty"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.last(), Some(&"line 399"));
    let first: usize = lines[0]["line ".len()..].parse().expect("a number");
    assert!(first > 0, "nothing was rotated away");
    let want: Vec<String> = (first..400).map(|i| format!("line {i}")).collect();
    assert_eq!(lines, want.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        b.ok(&["logs", "--tail", "2", "chatty"]),
        "line 398\nline 399"
    );
    assert_eq!(
        b.inspect("chatty", "{{json .HostConfig.LogConfig}}"),
        r#"{"Type":"json-file","Config":{"max-file":"3","max-size":"2k"}}"#
    );
}

#[test]
fn logs_follow_goes_on_across_a_rotation() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&[
        // Some 130 lines a file, a file every 0.7 s: several rotations while following.
        "run",
        "-d",
        "--name",
        "slow",
        "--log-opt",
        "max-size=10k",
        "--log-opt",
        "max-file=2",
        "busybox",
        "sh",
        "-c",
        "sleep 1; i=0; while [ $i -lt 400 ]; do echo line $i; i=$((i+1)); sleep 0.005; done",
    ]);
    let out = b.run(&["logs", "-f", "slow"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let want: Vec<String> = (0..400).map(|i| format!("line {i}")).collect();
    assert_eq!(lines, want.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(log_files(&b, "slow").len(), 2);
}

#[test]
fn the_none_driver_keeps_nothing_and_local_rotates() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&[
        "run",
        "--name",
        "quiet",
        "--log-driver",
        "none",
        "busybox",
        "echo",
        "hi",
    ]);
    assert!(log_files(&b, "quiet").is_empty());
    let o = b.run(&["logs", "quiet"]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr
            .contains("configured logging driver does not support reading"),
        "{}",
        o.stderr
    );
    b.ok(&[
        "run",
        "-d",
        "--name",
        "loc",
        "--log-driver",
        "local",
        "busybox",
        "echo",
        "hi",
    ]);
    assert!(eventually(5, || b.ok(&["logs", "loc"]) == "hi"));
}
