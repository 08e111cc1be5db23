//! The Docker backend over TLS and ssh, against a private dockerd (Debian's docker.io):
//! TCP with client certificates given by flags, by DOCKER_TLS_VERIFY/DOCKER_CERT_PATH
//! and by a context (one berth makes and the docker CLI uses, and one the docker CLI
//! makes and berth uses); TLS without verification; the refusals (an unknown CA, a
//! client certificate of another CA, a missing file) said plainly. Then ssh: berth
//! runs plain `ssh` to a private sshd whose key runs `docker system dial-stdio`, and
//! version, ps, run, logs -f, exec and events go through it; a refused ssh says what
//! ssh said.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use berth_tests::docker::{Dockerd, TlsListen, DOCKER_CLIENT};
use berth_tests::pki::{Ca, Pair};
use berth_tests::sshd::Sshd;
use berth_tests::{eventually, free_port, Berth, Out};

/// The harness's private dockerd is one per test process at a time (its bridge,
/// address ranges and cgroup parent are named by the pid): the tests that start one
/// take turns.
static ONE_DOCKERD: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn dockerd_turn() -> std::sync::MutexGuard<'static, ()> {
    // A test that failed holding it leaves nothing behind (its guards cleaned up).
    ONE_DOCKERD.lock().unwrap_or_else(|e| e.into_inner())
}

/// The variables that choose an engine or its TLS, none of which a test inherits.
const ENGINE_VARS: [&str; 6] = [
    "DOCKER_HOST",
    "DOCKER_CONTEXT",
    "DOCKER_TLS",
    "DOCKER_TLS_VERIFY",
    "DOCKER_CERT_PATH",
    "DOCKER_SSH_NO_MUX",
];

/// berth with `b`'s roots and docker config, none of the shell's engine variables,
/// and `env` set.
fn berth(b: &Berth, env: &[(&str, &str)], args: &[&str]) -> Out {
    let mut c = b.cmd();
    for v in ENGINE_VARS {
        c.env_remove(v);
    }
    c.envs(env.iter().copied());
    Out::from(c.args(args).output().expect("spawn berth"))
}

fn berth_ok(b: &Berth, env: &[(&str, &str)], args: &[&str]) -> String {
    let o = berth(b, env, args);
    assert_eq!(o.code, 0, "berth {args:?}: {}", o.show());
    o.stdout.trim_end().to_string()
}

/// The docker CLI with `config` as its config dir and no engine variables.
fn docker_cli(config: &Path, args: &[&str]) -> Out {
    let mut c = Command::new(DOCKER_CLIENT);
    for v in ENGINE_VARS {
        c.env_remove(v);
    }
    c.env("DOCKER_CONFIG", config).stdin(Stdio::null());
    Out::from(c.args(args).output().expect("spawn docker"))
}

fn docker_ok(config: &Path, args: &[&str]) -> String {
    let o = docker_cli(config, args);
    assert_eq!(o.code, 0, "docker {args:?}: {}", o.show());
    o.stdout.trim_end().to_string()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temp path")
}

/// Which daemon answered: its ID and version, the same whoever asks.
const WHO: &str = "{{.ID}} {{.ServerVersion}}";

struct TlsSetup {
    _certs: tempfile::TempDir,
    /// ca.pem, cert.pem, key.pem: the daemon's CA and a client pair it signed.
    client: PathBuf,
    /// The same client pair with a CA the daemon's certificate is not from.
    wrong_ca: PathBuf,
    /// The daemon's CA with a client pair from another CA.
    foreign_client: PathBuf,
    d: Dockerd,
    host: String,
}

fn tls_dockerd() -> TlsSetup {
    let certs = tempfile::Builder::new()
        .prefix("berth-tls-")
        .tempdir()
        .expect("temp dir for certificates");
    let ca = Ca::new("berth test CA");
    let other = Ca::new("another CA");
    let client_pair = ca.client();
    let [server_ca, server_cert, server_key] =
        ca.write_docker_dir(&certs.path().join("server"), &ca.server());
    let client = certs.path().join("client");
    ca.write_docker_dir(&client, &client_pair);
    let wrong_ca = certs.path().join("wrong-ca");
    other.write_docker_dir(
        &wrong_ca,
        &Pair {
            cert_pem: client_pair.cert_pem.clone(),
            key_pem: client_pair.key_pem.clone(),
        },
    );
    let foreign_client = certs.path().join("foreign-client");
    ca.write_docker_dir(&foreign_client, &other.client());
    let port = free_port();
    let d = Dockerd::start_with_tls(&TlsListen {
        port,
        ca: server_ca,
        cert: server_cert,
        key: server_key,
    });
    TlsSetup {
        _certs: certs,
        client,
        wrong_ca,
        foreign_client,
        d,
        host: format!("tcp://127.0.0.1:{port}"),
    }
}

/// `--tlsverify` and the three files of `dir`, for `host`.
fn tls_flags<'a>(dir: &'a [String; 3], host: &'a str) -> Vec<&'a str> {
    vec![
        "--tlsverify",
        "--tlscacert",
        &dir[0],
        "--tlscert",
        &dir[1],
        "--tlskey",
        &dir[2],
        "-H",
        host,
    ]
}

fn files(dir: &Path) -> [String; 3] {
    ["ca.pem", "cert.pem", "key.pem"].map(|f| s(&dir.join(f)).to_string())
}

#[test]
fn tls_with_client_certificates_by_flags_environment_and_contexts() {
    let _turn = dockerd_turn();
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let t = tls_dockerd();
    t.d.load_from_berth(&b, "busybox:latest");
    let who = t.d.ok(&["info", "--format", WHO]);
    let client = files(&t.client);

    // Flags, as the docker CLI takes them.
    let with = |args: &[&str]| {
        let mut v = tls_flags(&client, &t.host);
        v.extend(args);
        v.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let run = |args: &[&str]| {
        let v = with(args);
        berth_ok(&b, &[], &v.iter().map(String::as_str).collect::<Vec<_>>())
    };
    assert_eq!(run(&["info", "--format", WHO]), who);
    assert_eq!(run(&["ps", "-a", "--format", "{{.Names}}"]), "");
    assert_eq!(
        run(&[
            "run",
            "--name",
            "over-tls",
            "busybox:latest",
            "echo",
            "hello-tls"
        ]),
        "hello-tls"
    );
    assert_eq!(run(&["logs", "over-tls"]), "hello-tls");
    let ps = run(&["ps", "-a", "--format", "{{.Names}} {{.Image}}"]);
    assert_eq!(ps, "over-tls busybox:latest");
    // The docker CLI, given the same, sees the same.
    let mut docker_args = tls_flags(&client, &t.host);
    docker_args.extend(["ps", "-a", "--format", "{{.Names}} {{.Image}}"]);
    let config = b.dir.path().join("docker-config");
    assert_eq!(docker_ok(&config, &docker_args), ps);

    // The environment's form: DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_HOST.
    let env = [
        ("DOCKER_TLS_VERIFY", "1"),
        ("DOCKER_CERT_PATH", s(&t.client)),
        ("DOCKER_HOST", t.host.as_str()),
    ];
    assert_eq!(berth_ok(&b, &env, &["info", "--format", WHO]), who);
    assert_eq!(berth_ok(&b, &env, &["logs", "over-tls"]), "hello-tls");

    // TLS without verifying the server: a CA that did not sign the server's
    // certificate is not even read (the client pair still gets us in).
    let unverified = [
        ("DOCKER_TLS", "1"),
        ("DOCKER_CERT_PATH", s(&t.wrong_ca)),
        ("DOCKER_HOST", t.host.as_str()),
    ];
    assert_eq!(berth_ok(&b, &unverified, &["info", "--format", WHO]), who);
    let wrong = files(&t.wrong_ca);
    let o = berth(
        &b,
        &[],
        &[
            "--tls",
            "--tlscert",
            &wrong[1],
            "--tlskey",
            &wrong[2],
            "-H",
            &t.host,
            "info",
            "--format",
            WHO,
        ],
    );
    assert_eq!((o.code, o.stdout.trim()), (0, who.as_str()), "{}", o.show());

    // A context berth makes is the docker CLI's too, material and all.
    berth_ok(
        &b,
        &[],
        &[
            "context",
            "create",
            "secure",
            "--docker",
            &format!(
                "host={},ca={},cert={},key={}",
                t.host, client[0], client[1], client[2]
            ),
        ],
    );
    let tls_dir = PathBuf::from(berth_ok(
        &b,
        &[],
        &[
            "context",
            "inspect",
            "secure",
            "--format",
            "{{.Storage.TLSPath}}",
        ],
    ));
    let material = tls_dir.join("docker");
    for f in ["ca.pem", "cert.pem", "key.pem"] {
        assert_eq!(
            std::fs::read(material.join(f)).expect("stored TLS file"),
            std::fs::read(t.client.join(f)).expect("client file"),
            "{f}"
        );
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(material.join("key.pem"))
        .expect("stored key")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "key.pem's mode");
    let inspect = "{{json .TLSMaterial}} {{.Storage.TLSPath}}";
    assert_eq!(
        berth_ok(
            &b,
            &[],
            &["context", "inspect", "secure", "--format", inspect]
        ),
        docker_ok(
            &config,
            &["context", "inspect", "secure", "--format", inspect]
        )
    );
    assert_eq!(
        berth_ok(&b, &[], &["--context", "secure", "info", "--format", WHO]),
        who
    );
    let names = ["ps", "-a", "--format", "{{.Names}}"];
    let mut by_context = vec!["--context", "secure"];
    by_context.extend(names);
    assert_eq!(berth_ok(&b, &[], &by_context), "over-tls");
    assert_eq!(docker_ok(&config, &by_context), "over-tls");
    let mut docker_who = vec!["--context", "secure"];
    docker_who.extend(["info", "--format", WHO]);
    assert_eq!(docker_ok(&config, &docker_who), who);

    // A context the docker CLI makes is berth's to use.
    docker_ok(
        &config,
        &[
            "context",
            "create",
            "made-by-docker",
            "--docker",
            &format!(
                "host={},ca={},cert={},key={}",
                t.host, client[0], client[1], client[2]
            ),
        ],
    );
    let env = [("DOCKER_CONTEXT", "made-by-docker")];
    assert_eq!(berth_ok(&b, &env, &["info", "--format", WHO]), who);
    assert_eq!(berth_ok(&b, &env, &["logs", "over-tls"]), "hello-tls");

    // Removing a context removes its material.
    berth_ok(&b, &[], &["context", "rm", "secure", "made-by-docker"]);
    assert!(!tls_dir.exists(), "{} is left", tls_dir.display());
}

#[test]
fn tls_refusals_name_the_daemon_and_the_cause() {
    let _turn = dockerd_turn();
    let b = Berth::new();
    let t = tls_dockerd();
    let refused = |dir: &Path| {
        let f = files(dir);
        let mut args = tls_flags(&f, &t.host);
        args.push("ps");
        let o = berth(&b, &[], &args);
        assert_ne!(o.code, 0, "{}", o.show());
        assert!(
            o.stderr.contains(&format!(
                "Cannot connect to the Docker daemon at {}: TLS: ",
                t.host
            )),
            "{}",
            o.show()
        );
        o.stderr
    };
    // The server's certificate is not from the CA we trust.
    let e = refused(&t.wrong_ca);
    assert!(e.contains("invalid peer certificate: UnknownIssuer"), "{e}");
    // Our certificate is not from the CA the server trusts: the server's alert.
    let e = refused(&t.foreign_client);
    assert!(
        e.contains("received fatal alert: BadCertificate (the daemon did not accept the client certificate)"),
        "{e}"
    );
    // No client certificate at all, where the server asks for one.
    let o = berth(
        &b,
        &[],
        &[
            "--tlsverify",
            "--tlscacert",
            s(&t.client.join("ca.pem")),
            "-H",
            &t.host,
            "ps",
        ],
    );
    assert_ne!(o.code, 0, "{}", o.show());
    assert!(
        o.stderr
            .contains("(the daemon did not accept the client certificate)"),
        "{}",
        o.show()
    );
    // A missing file is named before anything is dialled.
    let missing = t.client.join("no-such-ca.pem");
    let o = berth(
        &b,
        &[],
        &[
            "--tlsverify",
            "--tlscacert",
            s(&missing),
            "-H",
            &t.host,
            "ps",
        ],
    );
    assert_ne!(o.code, 0, "{}", o.show());
    assert!(
        o.stderr.contains(&format!(
            "could not read CA certificate {}",
            missing.display()
        )),
        "{}",
        o.show()
    );
    // DOCKER_CERT_PATH without a ca.pem: the default CA file is named.
    let empty = tempfile::tempdir().expect("temp dir");
    let o = berth(
        &b,
        &[
            ("DOCKER_TLS_VERIFY", "1"),
            ("DOCKER_CERT_PATH", s(empty.path())),
            ("DOCKER_HOST", t.host.as_str()),
        ],
        &["ps"],
    );
    assert_ne!(o.code, 0, "{}", o.show());
    assert!(
        o.stderr
            .contains(&empty.path().join("ca.pem").display().to_string()),
        "{}",
        o.show()
    );
}

#[test]
fn ssh_runs_the_systems_ssh_and_speaks_http_over_it() {
    let _turn = dockerd_turn();
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let d = Dockerd::start();
    d.load_from_berth(&b, "busybox:latest");
    let sshd = Sshd::start(&format!(
        "{DOCKER_CLIENT} -H unix://{} system dial-stdio",
        d.sock.display()
    ));
    let path = sshd.client_path();
    let path = path.to_str().expect("a UTF-8 PATH");
    let url = sshd.url();
    let env = [("PATH", path)];
    let over_ssh = |args: &[&str]| {
        let mut v = vec!["-H", url.as_str()];
        v.extend(args);
        let o = berth(&b, &env, &v);
        assert_eq!(
            o.code,
            0,
            "berth {v:?}: {}\nsshd's log:\n{}",
            o.show(),
            sshd.log()
        );
        o.stdout.trim_end().to_string()
    };

    assert_eq!(
        over_ssh(&["info", "--format", WHO]),
        d.ok(&["info", "--format", WHO])
    );
    let version = over_ssh(&["version"]);
    assert!(
        version.contains(&d.ok(&["version", "--format", "{{.Server.Version}}"])),
        "{version}"
    );
    assert_eq!(over_ssh(&["ps", "-a", "--format", "{{.Names}}"]), "");
    // run attaches (a hijacked stream) through ssh.
    assert_eq!(
        over_ssh(&[
            "run",
            "--name",
            "via-ssh",
            "busybox:latest",
            "echo",
            "hello-ssh"
        ]),
        "hello-ssh"
    );
    assert_eq!(d.ok(&["ps", "-a", "--format", "{{.Names}}"]), "via-ssh");
    // logs -f follows a short-lived container to its end.
    over_ssh(&[
        "run",
        "-d",
        "--name",
        "ticker",
        "busybox:latest",
        "sh",
        "-c",
        "for i in 1 2 3; do echo tick$i; sleep 1; done",
    ]);
    assert_eq!(over_ssh(&["logs", "-f", "ticker"]), "tick1\ntick2\ntick3");
    // exec, and exec -i whose stdin ends: the half-close goes through ssh.
    over_ssh(&[
        "run",
        "-d",
        "--name",
        "sleeper",
        "busybox:latest",
        "sleep",
        "60",
    ]);
    assert_eq!(over_ssh(&["exec", "sleeper", "echo", "exec-ok"]), "exec-ok");
    let mut c = b.cmd();
    for v in ENGINE_VARS {
        c.env_remove(v);
    }
    let mut child = c
        .env("PATH", path)
        .args(["-H", &url, "exec", "-i", "sleeper", "cat"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn berth exec -i");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"through-stdin\n")
        .expect("write to exec -i");
    let o = Out::from(child.wait_with_output().expect("wait for exec -i"));
    assert_eq!(
        (o.code, o.stdout.as_str()),
        (0, "through-stdin\n"),
        "{}",
        o.show()
    );
    // events, a stream read to its --until.
    let since = chrono::Utc::now().timestamp() - 120;
    let until = chrono::Utc::now().timestamp() + 2;
    let events = over_ssh(&[
        "events",
        "--since",
        &since.to_string(),
        "--until",
        &until.to_string(),
        "--filter",
        "container=ticker",
        "--format",
        "{{.Action}}",
    ]);
    assert!(events.lines().any(|l| l == "die"), "{events}");
    over_ssh(&["rm", "-f", "sleeper"]);
    // It all went through our sshd, as root with the test key.
    assert!(
        sshd.log().contains("Accepted publickey for root"),
        "{}",
        sshd.log()
    );
    // Every connection's ssh is gone with it.
    assert!(
        eventually(10, || sshd.ssh_clients().is_empty()),
        "ssh clients left: {:?}",
        sshd.ssh_clients()
    );
}

#[test]
fn a_refused_ssh_says_what_ssh_said() {
    let b = Berth::new();
    // Nothing listens on this port.
    let port = free_port();
    let o = berth(
        &b,
        &[],
        &["-H", &format!("ssh://root@127.0.0.1:{port}"), "ps"],
    );
    assert_ne!(o.code, 0, "{}", o.show());
    assert!(
        o.stderr.contains(&format!(
            "Cannot connect to the Docker daemon at ssh://root@127.0.0.1:{port}"
        )) && o.stderr.contains(&format!(
            "ssh: connect to host 127.0.0.1 port {port}: Connection refused"
        )),
        "{}",
        o.show()
    );
    // A URL the docker CLI refuses is refused by name, and no ssh runs.
    for (url, why) in [
        (
            "ssh://root@127.0.0.1/var/run/docker.sock",
            "extra path after the host",
        ),
        (
            "ssh://root:secret@127.0.0.1",
            "plain-text password is not supported",
        ),
        ("ssh://127.0.0.1?x=1", "extra query after the host"),
    ] {
        let o = berth(&b, &[], &["-H", url, "ps"]);
        assert_ne!(o.code, 0, "{}", o.show());
        assert!(
            o.stderr.contains("ssh host connection is not valid") && o.stderr.contains(why),
            "{url}: {}",
            o.show()
        );
    }
}
