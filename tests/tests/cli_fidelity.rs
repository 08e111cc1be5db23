//! The docker CLI as users type it: mistakes are refused up front, in Docker's words and
//! with Docker's exit codes, and nothing is made for them.

use berth_tests::Berth;

#[test]
fn bad_input_is_refused_up_front_with_dockers_codes() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let refused = |args: &[&str], code: i32, says: &str| {
        let o = b.run(args);
        assert_eq!(o.code, code, "{args:?}: {}{}", o.stdout, o.stderr);
        assert!(o.stderr.contains(says), "{args:?}: {}", o.stderr);
    };
    refused(&["run", "--bogus", "busybox"], 125, "unknown flag: --bogus");
    refused(
        &["create", "--bogus", "busybox"],
        125,
        "unknown flag: --bogus",
    );
    refused(
        &["exec", "--bogus", "c", "sh"],
        125,
        "unknown flag: --bogus",
    );
    refused(&["ps", "--bogus"], 125, "unknown flag: --bogus");
    refused(
        &["exec", "c"],
        1,
        "\"berth exec\" requires at least 2 arguments.",
    );
    refused(&["run"], 1, "\"berth run\" requires at least 1 argument.");
    refused(
        &["run", "-e", "=x", "busybox", "true"],
        125,
        "invalid environment variable: =x",
    );
    let long = "h".repeat(65);
    refused(
        &["run", "--hostname", &long, "busybox", "true"],
        125,
        "the limit is 64",
    );
    // None of them left a container behind.
    assert_eq!(b.ok(&["ps", "-aq"]), "");
    // A flag after the image is the command's.
    assert_eq!(
        b.ok(&["run", "--rm", "busybox", "echo", "-n", "--bogus"]),
        "--bogus"
    );
}

#[test]
fn the_host_network_keeps_the_hosts_name() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let host = nix_hostname();
    assert_eq!(
        b.ok(&["run", "--rm", "--network", "host", "busybox", "hostname"]),
        host
    );
    let own = b.ok(&[
        "run",
        "--rm",
        "--network",
        "host",
        "--hostname",
        "box",
        "busybox",
        "hostname",
    ]);
    assert_eq!(own, "box");
}

fn nix_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .expect("hostname")
        .trim()
        .to_string()
}

#[test]
fn containers_carry_dockerenv_and_diff_does_not_show_it() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&[
        "run",
        "--name",
        "env",
        "busybox",
        "test",
        "-f",
        "/.dockerenv",
    ]);
    assert_eq!(b.ok(&["diff", "env"]), "");
}

#[test]
fn exec_of_a_missing_command_is_126_and_commit_entrypoint_resets_cmd() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&["run", "-d", "--name", "c1", "busybox", "sleep", "1000"]);
    let o = b.run(&["exec", "c1", "/no/such"]);
    assert_eq!(o.code, 126, "{}", o.stderr);
    assert!(o.stderr.contains("/no/such"), "{}", o.stderr);
    b.ok(&["commit", "-c", "ENTRYPOINT [\"echo\"]", "c1", "ep"]);
    assert_eq!(
        b.ok(&[
            "image",
            "inspect",
            "--format",
            "{{json .Config.Entrypoint}} {{json .Config.Cmd}}",
            "ep"
        ]),
        "[\"echo\"] null"
    );
    b.ok(&[
        "commit",
        "-c",
        "ENTRYPOINT [\"echo\"]",
        "-c",
        "CMD [\"hi\"]",
        "c1",
        "ep2",
    ]);
    assert_eq!(b.ok(&["run", "--rm", "ep2"]), "hi");
}
