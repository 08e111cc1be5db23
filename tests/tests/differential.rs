//! Berth against Docker, side by side: a list of everyday commands runs on Berth and on a
//! private dockerd (Debian's `docker.io`, see `berth_tests::docker`), and their exit
//! codes, the shapes of their standard output (`berth_tests::shapes`) and the first line
//! of their standard error must agree. The differences that remain on purpose are listed
//! in `ALLOWED`, each with its reason; the Berth defects this test found and that are not
//! fixed yet are in `KNOWN_DEFECTS`. Any other difference fails the test, and so does an
//! entry of either list whose step agrees now (so the lists cannot go stale).

#[path = "differential/steps.rs"]
mod steps;

use berth_tests::docker::Dockerd;
use berth_tests::shapes::shape;
use berth_tests::{Berth, Out};
use std::path::Path;
use std::time::{Duration, Instant};
use steps::{Aspect, ALLOWED, KNOWN_DEFECTS, STEPS};

#[test]
fn everyday_commands_agree_with_docker() {
    let started = Instant::now();
    let b = Berth::new();
    b.busybox_image("busybox");
    let d = Dockerd::start();
    d.load_from_berth(&b, "busybox");
    let setup = started.elapsed();

    // Each side plays every step in order, in a thread of its own.
    let (berth_side, docker_side) = std::thread::scope(|s| {
        let bt = s.spawn(|| play(&|args| b.run(args), &b.dir.path().join("host")));
        let dt = s.spawn(|| play(&|args| d.run(args), &d.dir.path().join("host")));
        (
            bt.join().expect("berth side"),
            dt.join().expect("docker side"),
        )
    });

    let mut report = String::new();
    for (i, step) in STEPS.iter().enumerate() {
        let (bo, bt) = &berth_side[i];
        let (dout, dt) = &docker_side[i];
        let differ = differences(bo, dout);
        let allowed = listed(ALLOWED, step);
        let known = listed(KNOWN_DEFECTS, step);
        let mut problems = Vec::new();
        for a in &differ {
            if !allowed.contains(a) && !known.contains(a) {
                problems.push(format!("{a:?} differs"));
            }
        }
        for a in &allowed {
            if !differ.contains(a) {
                problems.push(format!("{a:?} agrees now: remove it from ALLOWED"));
            }
        }
        for a in &known {
            if !differ.contains(a) {
                problems.push(format!(
                    "{a:?} agrees now: the defect is fixed, remove it from KNOWN_DEFECTS"
                ));
            }
        }
        if !problems.is_empty() {
            report += &format!(
                "\n=== step {i}: {step}\n    {}\n{}{}",
                problems.join("; "),
                side("berth", bo, *bt),
                side("docker", dout, *dt)
            );
        }
    }
    for (step, _, _) in ALLOWED.iter().chain(KNOWN_DEFECTS) {
        if !STEPS.contains(step) {
            report += &format!("\n=== a listed step is not in STEPS: {step}");
        }
    }
    let berth_time: Duration = berth_side.iter().map(|(_, t)| *t).sum();
    let docker_time: Duration = docker_side.iter().map(|(_, t)| *t).sum();
    println!(
        "{} steps; setup {setup:.1?}, berth {berth_time:.1?}, docker {docker_time:.1?}, \
         whole test {:.1?}",
        STEPS.len(),
        started.elapsed()
    );
    assert!(report.is_empty(), "Berth and Docker differ:{report}");
}

/// The aspects in which two outputs differ.
fn differences(b: &Out, d: &Out) -> Vec<Aspect> {
    let mut differ = Vec::new();
    if b.code != d.code {
        differ.push(Aspect::Code);
    }
    if shape(&b.stdout) != shape(&d.stdout) {
        differ.push(Aspect::Stdout);
    }
    if first_line(&b.stderr) != first_line(&d.stderr) {
        differ.push(Aspect::Stderr);
    }
    differ
}

/// The first non-empty line of stderr, shaped (so `docker:` and `berth:` read `CLI:`).
fn first_line(stderr: &str) -> Option<String> {
    shape(stderr).into_iter().find(|l| !l.trim().is_empty())
}

fn listed(list: &[(&str, Aspect, &str)], step: &str) -> Vec<Aspect> {
    list.iter()
        .filter(|(s, _, _)| *s == step)
        .map(|(_, a, _)| *a)
        .collect()
}

fn side(name: &str, o: &Out, t: Duration) -> String {
    let indent = |s: &str| {
        s.lines()
            .map(|l| format!("        | {l}\n"))
            .collect::<String>()
    };
    format!(
        "    {name}: exit {} ({t:.1?})\n      stdout:\n{}      stderr:\n{}      shaped stdout:\n{}",
        o.code,
        indent(&o.stdout),
        indent(&o.stderr),
        indent(&shape(&o.stdout).join("\n"))
    )
}

/// Play every step on one side: `cli` runs the program (berth or docker) with the
/// step's words; `!` steps run on the host with `sh -c`. `{dir}` is `host`, a directory
/// of this side's own.
fn play(cli: &dyn Fn(&[&str]) -> Out, host: &Path) -> Vec<(Out, Duration)> {
    std::fs::create_dir_all(host).expect("host dir");
    let host = host.to_str().expect("utf-8 temp path");
    STEPS
        .iter()
        .map(|step| {
            let cmd = step
                .split("  #")
                .next()
                .unwrap_or(step)
                .replace("{dir}", host);
            let t = Instant::now();
            let out = match cmd.strip_prefix('!') {
                Some(script) => Out::from(
                    std::process::Command::new("sh")
                        .args(["-c", script])
                        .output()
                        .expect("spawn sh"),
                ),
                None => {
                    let words = words(&cmd);
                    let args: Vec<&str> = words.iter().map(String::as_str).collect();
                    cli(&args)
                }
            };
            // Each side's own directory reads `{dir}` in what it printed.
            let out = Out {
                code: out.code,
                stdout: out.stdout.replace(host, "{dir}"),
                stderr: out.stderr.replace(host, "{dir}"),
            };
            (out, t.elapsed())
        })
        .collect()
}

/// Split a command line as sh would for the quoting used in `STEPS`: blanks separate
/// words; '...' and "..." quote (no escapes).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for ch in line.chars() {
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => word.push(ch),
            None if ch == '\'' || ch == '"' => {
                quote = Some(ch);
                in_word = true;
            }
            None if ch == ' ' => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            None => {
                word.push(ch);
                in_word = true;
            }
        }
    }
    assert!(quote.is_none(), "unbalanced quote in step: {line}");
    if in_word {
        out.push(word);
    }
    out
}

#[test]
fn steps_split_as_sh_would_and_are_unique() {
    assert_eq!(
        words(r#"run --rm busybox sh -c 'echo "$A|b"' x"y z"'w'"#),
        vec![
            "run",
            "--rm",
            "busybox",
            "sh",
            "-c",
            "echo \"$A|b\"",
            "xy zw"
        ]
    );
    assert_eq!(words("volume create ''"), vec!["volume", "create", ""]);
    let mut seen = std::collections::HashSet::new();
    for s in STEPS {
        assert!(
            seen.insert(s),
            "a step is listed twice (add a `  # note`): {s}"
        );
    }
}
