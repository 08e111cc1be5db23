//! One wording per bad limit, whichever front end sent it: the CLI's flags and the API's
//! body reach the same check in the engine (`container::limits`), so `berth run -m 1m`
//! and a `POST /containers/create` with `"Memory": 1048576` say the same thing.

use berth_tests::api::{http, Service};
use berth_tests::Berth;

/// The API's error message for a refused request (Docker's `{"message": ...}`), which
/// must come with a 400.
fn api_message(sock: &std::path::Path, path: &str, body: &str) -> String {
    let (code, answer) = http(sock, "POST", path, body);
    assert_eq!(code, 400, "{path} {body}: {answer}");
    let v: serde_json::Value = serde_json::from_str(&answer).expect("a JSON error body");
    v["message"].as_str().expect("a message").to_string()
}

/// The CLI's message for the same request: Docker's `Error response from daemon: ...`.
fn cli_message(b: &Berth, args: &[&str]) -> String {
    let o = b.run(args);
    assert_ne!(o.code, 0, "{args:?} should be refused: {}", o.stdout);
    let line = o.stderr.lines().last().unwrap_or_default().to_string();
    line.split_once("Error response from daemon: ")
        .map(|(_, m)| m.trim_end_matches('.').to_string())
        .unwrap_or_else(|| panic!("{args:?}: not the daemon's refusal: {}", o.stderr))
}

#[test]
fn the_cli_and_the_api_refuse_a_bad_limit_in_the_same_words() {
    let b = Berth::new();
    b.busybox_image("img");
    let api = Service::start(&b);
    let sock = &api.socket;
    let ncpu = std::thread::available_parallelism().map_or(1, |n| n.get());
    let too_many = (ncpu + 1).to_string();
    let cpus =
        format!("Range of CPUs is from 0.01 to {ncpu}.00, as there are only {ncpu} CPUs available");

    // Create: (CLI flags, API HostConfig, Docker's words).
    let cases: Vec<(Vec<&str>, String, String)> = vec![
        (
            vec!["-m", "1m"],
            r#""HostConfig":{"Memory":1048576}"#.into(),
            "Minimum memory limit allowed is 6MB".into(),
        ),
        (
            vec!["-m", "64m", "--memory-swap", "32m"],
            r#""HostConfig":{"Memory":67108864,"MemorySwap":33554432}"#.into(),
            "Minimum memoryswap limit should be larger than memory limit, see usage".into(),
        ),
        (
            vec!["--memory-reservation", "1m"],
            r#""HostConfig":{"MemoryReservation":1048576}"#.into(),
            "Minimum memory reservation allowed is 6MB".into(),
        ),
        (
            vec!["--cpus", &too_many],
            format!(
                r#""HostConfig":{{"NanoCpus":{}}}"#,
                (ncpu as i64 + 1) * 1_000_000_000
            ),
            cpus.clone(),
        ),
        (
            vec!["--cpus", "-1"],
            r#""HostConfig":{"NanoCpus":-1000000000}"#.into(),
            cpus.clone(),
        ),
        (
            vec!["--cpu-period", "500"],
            r#""HostConfig":{"CpuPeriod":500}"#.into(),
            "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)"
                .into(),
        ),
        (
            vec!["--cpuset-cpus", "4096"],
            r#""HostConfig":{"CpusetCpus":"4096"}"#.into(),
            format!(
                "Requested CPUs are not available - requested 4096, available: {}",
                if ncpu == 1 {
                    "0".to_string()
                } else {
                    format!("0-{}", ncpu - 1)
                }
            ),
        ),
    ];
    for (flags, host_config, words) in &cases {
        let mut args = vec!["create"];
        args.extend(flags.iter().copied());
        args.extend(["img", "true"]);
        let from_cli = cli_message(&b, &args);
        let from_api = api_message(
            sock,
            "/containers/create",
            &format!(r#"{{"Image":"img","Cmd":["true"],{host_config}}}"#),
        );
        assert_eq!(from_cli, from_api, "{flags:?}");
        assert_eq!(&from_cli, words, "{flags:?}");
    }

    // A name.
    let words = "Invalid container name (we b), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed";
    assert_eq!(
        cli_message(&b, &["create", "--name", "we b", "img", "true"]),
        words
    );
    assert_eq!(
        api_message(
            sock,
            "/containers/create?name=we%20b",
            r#"{"Image":"img","Cmd":["true"]}"#
        ),
        words
    );
    assert_eq!(b.ok(&["ps", "-aq"]), "", "nothing was made");

    // Update.
    b.ok(&["create", "--name", "up", "img", "true"]);
    let updates: Vec<(Vec<&str>, String)> = vec![
        (vec!["-m", "1m"], r#"{"Memory":1048576}"#.into()),
        (
            vec!["--cpus", &too_many],
            format!(r#"{{"NanoCpus":{}}}"#, (ncpu as i64 + 1) * 1_000_000_000),
        ),
        (vec!["--cpu-quota", "10"], r#"{"CpuQuota":10}"#.into()),
    ];
    for (flags, body) in &updates {
        let mut args = vec!["update"];
        args.extend(flags.iter().copied());
        args.push("up");
        let from_cli = cli_message(&b, &args);
        let from_api = api_message(sock, "/containers/up/update", body);
        assert_eq!(from_cli, from_api, "update {flags:?}");
    }

    // Pids: zero is "unlimited" from both, never an error.
    b.ok(&["update", "--pids-limit", "50", "up"]);
    b.ok(&["update", "--pids-limit", "0", "up"]);
    assert_eq!(b.inspect("up", "{{.HostConfig.PidsLimit}}"), "-1");
    let (code, answer) = http(sock, "POST", "/containers/up/update", r#"{"PidsLimit":50}"#);
    assert_eq!(code, 200, "{answer}");
    let (code, answer) = http(sock, "POST", "/containers/up/update", r#"{"PidsLimit":0}"#);
    assert_eq!(code, 200, "{answer}");
    assert_eq!(b.inspect("up", "{{.HostConfig.PidsLimit}}"), "-1");
}
