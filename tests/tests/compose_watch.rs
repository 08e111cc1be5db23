//! `berth compose watch` end to end, with real containers from images built of the
//! host's busybox: a `sync` rule (new, changed, nested and deleted files reach the
//! running container; an `initial_sync` one copies its files before watching), a
//! `sync+restart` rule (the file arrives and the container restarts), a `sync+exec`
//! rule (the command runs after the copy), a `rebuild` rule (a new image, the container recreated from it), Ctrl-C
//! ending the watch with the containers left running, and a project without rules
//! refused before anything is created. Every wait is a poll with a deadline.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Child;

use berth_tests::{eventually, Berth, Out};

const COMPOSE: &str = r#"services:
  web:
    build: ./web
    develop:
      watch:
        - {path: ./web/src, action: sync, target: /app/src, ignore: [scratch/]}
        - {path: ./web/conf, action: sync+restart, target: /app/conf}
        - {path: ./web/extra, action: sync, target: /app/extra, initial_sync: true}
        - path: ./web/hooks
          action: sync+exec
          target: /app/hooks
          exec:
            command: ["sh", "-c", "cat /app/hooks/h.txt > /app/hook-ran"]
  api:
    build: ./api
    develop:
      watch:
        - {path: ./api/version.txt, action: rebuild}
"#;

/// A process that ends promptly on SIGTERM (a restart need not wait out a grace
/// period): the trap runs between one-second sleeps.
const CMD: &str = r#"CMD ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]"#;

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let p = dir.join(name);
        fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
        fs::write(&p, text).expect("write");
    }
}

fn compose(b: &Berth, dir: &Path, args: &[&str]) -> Out {
    let mut all = vec!["compose"];
    all.extend_from_slice(args);
    Out::from(
        b.cmd()
            .current_dir(dir)
            .args(&all)
            .output()
            .expect("spawn berth compose"),
    )
}

fn compose_ok(b: &Berth, dir: &Path, args: &[&str]) -> String {
    let o = compose(b, dir, args);
    assert_eq!(o.code, 0, "compose {args:?}: {}{}", o.stdout, o.stderr);
    o.stdout
}

/// The running `compose watch`, its output in a file; killed on drop if still there
/// (a failing test must not leave it watching).
struct Watching {
    child: Child,
    log: PathBuf,
}

impl Watching {
    fn start(b: &Berth, dir: &Path, project: &str) -> Watching {
        let log = b.dir.path().join(format!("{project}-watch.log"));
        let out = fs::File::create(&log).expect("log file");
        let child = b
            .cmd()
            .current_dir(dir)
            .args(["compose", "-p", project, "watch"])
            .stdout(out.try_clone().expect("dup log"))
            .stderr(out)
            .spawn()
            .expect("spawn berth compose watch");
        Watching { child, log }
    }

    fn output(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Wait for `needle` in the output, failing with all of it.
    fn expect(&mut self, secs: u64, needle: &str) {
        let found = eventually(secs, || {
            self.output().contains(needle) || self.child.try_wait().ok().flatten().is_some()
        });
        let out = self.output();
        assert!(found && out.contains(needle), "{needle:?} not in:\n{out}");
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn sync_restart_and_rebuild_as_files_change() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let dir = b.dir.path().join("wt");
    write(
        &dir,
        &[
            ("compose.yaml", COMPOSE),
            (
                "web/Dockerfile",
                &format!("FROM busybox:latest\nCOPY src /app/src\nCOPY conf /app/conf\n{CMD}\n"),
            ),
            ("web/src/index.txt", "one\n"),
            ("web/src/old.txt", "going\n"),
            ("web/conf/app.conf", "mode=one\n"),
            // Not in the image: only the initial sync brings it.
            ("web/extra/e.txt", "extra\n"),
            (
                "api/Dockerfile",
                &format!("FROM busybox:latest\nCOPY version.txt /version.txt\n{CMD}\n"),
            ),
            ("api/version.txt", "v1\n"),
        ],
    );
    let mut w = Watching::start(&b, &dir, "wt");
    // `up` first (both images built), then the watch.
    w.expect(300, "Watch enabled");
    let out = w.output();
    assert!(out.contains("Container wt-web-1  Started"), "{out}");
    assert!(out.contains("Container wt-api-1  Started"), "{out}");

    let cat = |service: &str, path: &str| {
        compose(&b, &dir, &["-p", "wt", "exec", "-T", service, "cat", path])
    };
    let holds = |service: &str, path: &str, text: &str| {
        eventually(60, || {
            let o = cat(service, path);
            o.code == 0 && o.stdout == text
        })
    };

    assert!(
        holds("web", "/app/extra/e.txt", "extra\n"),
        "{}",
        w.output()
    );

    // sync: a change, a new file in a new directory, a deletion; an ignored file stays
    // out.
    write(
        &dir,
        &[
            ("web/src/index.txt", "two\n"),
            ("web/src/deep/er/new.txt", "new\n"),
            ("web/src/scratch/tmp.txt", "ignored\n"),
        ],
    );
    fs::remove_file(dir.join("web/src/old.txt")).expect("rm");
    assert!(
        holds("web", "/app/src/index.txt", "two\n"),
        "{}",
        w.output()
    );
    assert!(
        holds("web", "/app/src/deep/er/new.txt", "new\n"),
        "{}",
        w.output()
    );
    assert!(
        eventually(60, || cat("web", "/app/src/old.txt").code != 0),
        "the deleted file is still in the container:\n{}",
        w.output()
    );
    assert_ne!(cat("web", "/app/src/scratch/tmp.txt").code, 0);
    w.expect(10, "Syncing service \"web\" after");

    // sync+restart: the file arrives and the container starts again.
    let started = |name: &str| b.inspect(name, "{{.State.StartedAt}}");
    let web_started = started("wt-web-1");
    write(&dir, &[("web/conf/app.conf", "mode=two\n")]);
    assert!(
        eventually(60, || started("wt-web-1") != web_started),
        "web was not restarted:\n{}",
        w.output()
    );
    assert!(
        holds("web", "/app/conf/app.conf", "mode=two\n"),
        "{}",
        w.output()
    );
    w.expect(30, "service \"web\" restarted");

    // sync+exec: the command runs once the file is in.
    write(&dir, &[("web/hooks/h.txt", "hooked\n")]);
    assert!(holds("web", "/app/hook-ran", "hooked\n"), "{}", w.output());

    // rebuild: a new image, and the container recreated from it.
    let image_id = || b.ok(&["image", "inspect", "--format", "{{.Id}}", "wt-api"]);
    let image = image_id();
    let container = b.inspect("wt-api-1", "{{.Id}}");
    let web_container = b.inspect("wt-web-1", "{{.Id}}");
    write(&dir, &[("api/version.txt", "v2\n")]);
    w.expect(120, "service \"api\" successfully built");
    assert!(
        w.output()
            .contains("Rebuilding service \"api\" after changes were detected..."),
        "{}",
        w.output()
    );
    assert!(
        eventually(120, || {
            b.run(&["inspect", "-f", "{{.Id}}", "wt-api-1"])
                .stdout
                .trim()
                != container
                && b.run(&["inspect", "-f", "{{.State.Running}}", "wt-api-1"])
                    .stdout
                    .trim()
                    == "true"
        }),
        "api was not recreated:\n{}",
        w.output()
    );
    assert_ne!(image_id(), image);
    assert_eq!(b.inspect("wt-api-1", "{{.Image}}"), image_id());
    assert!(holds("api", "/version.txt", "v2\n"), "{}", w.output());
    // Only the rebuilt service was recreated.
    assert_eq!(b.inspect("wt-web-1", "{{.Id}}"), web_container);

    // Ctrl-C ends the watch as Compose's does (130) and leaves the containers running.
    // SAFETY: kill(2) on the child this test spawned and has not reaped.
    unsafe { libc::kill(w.child.id() as i32, libc::SIGINT) };
    let mut code = None;
    assert!(
        eventually(30, || {
            code = w.child.try_wait().ok().flatten().and_then(|s| s.code());
            code.is_some()
        }),
        "the watch did not end on SIGINT:\n{}",
        w.output()
    );
    assert_eq!(code, Some(130), "{}", w.output());
    for c in ["wt-web-1", "wt-api-1"] {
        assert_eq!(b.inspect(c, "{{.State.Running}}"), "true");
    }
    compose_ok(&b, &dir, &["-p", "wt", "down", "-v"]);
    assert_eq!(
        b.ok(&[
            "ps",
            "-aq",
            "--filter",
            "label=com.docker.compose.project=wt"
        ]),
        ""
    );
}

#[test]
fn a_project_without_watch_rules_is_refused_before_up() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let dir = b.dir.path().join("plain");
    write(
        &dir,
        &[(
            "compose.yaml",
            "services:\n  web:\n    image: busybox:latest\n    command: [\"sleep\", \"300\"]\n",
        )],
    );
    let o = compose(&b, &dir, &["-p", "plain", "watch"]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stderr.contains(
            "none of the selected services is configured for watch, consider setting a 'develop' section"
        ),
        "{}",
        o.stderr
    );
    assert_eq!(b.ok(&["ps", "-aq"]), "", "watch created containers anyway");

    // A rebuild rule needs a build.
    write(
        &dir,
        &[(
            "compose.yaml",
            "services:\n  web:\n    image: busybox:latest\n    develop:\n      watch: [{path: ., action: rebuild}]\n",
        )],
    );
    let o = compose(&b, &dir, &["-p", "plain", "watch"]);
    assert_ne!(o.code, 0);
    assert!(
        o.stderr
            .contains("can't watch service \"web\" with action rebuild without a build context"),
        "{}",
        o.stderr
    );
    assert_eq!(b.ok(&["ps", "-aq"]), "");
}
