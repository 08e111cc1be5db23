//! Differential: `berth compose config` against Debian's `docker-compose config` (v1,
//! 1.29) for the projects under `compose_config/`, which cover the keys compose users
//! write. v1 prints its model in its own way; [`normalize`] lists each known difference
//! of form (the README lists them too) and brings both to one shape, so what is left to
//! differ is meaning.
//!
//! Each project folder holds its files, and optionally `args` (flags before `config`)
//! and `env` (`KEY=VALUE` lines for both tools' environment).

mod compose_config_diff {
    pub mod normalize;
}

use std::fs;
use std::path::Path;
use std::process::Command;

use berth_tests::{berth_bin, require_tool};
use compose_config_diff::normalize::{differences, normalize, Side};
use serde_json::Value;

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// A tool's `config` output, parsed.
fn config(program: &Path, pre: &[&str], dir: &Path, env: &[(String, String)]) -> Value {
    let mut c = Command::new(program);
    c.args(pre).current_dir(dir).env_clear();
    c.env("PATH", std::env::var_os("PATH").unwrap_or_default());
    for (k, v) in env {
        c.env(k, v);
    }
    let args = fs::read_to_string(dir.join("args")).unwrap_or_default();
    c.args(args.split_whitespace()).arg("config");
    let out = c.output().expect("run config");
    assert!(
        out.status.success(),
        "{} config in {}: {}",
        program.display(),
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_saphyr::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}'s YAML: {e}\n{}",
            program.display(),
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

#[test]
fn berth_compose_config_agrees_with_docker_compose_v1() {
    require_tool("docker-compose", "docker-compose");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compose_config");
    let tmp = tempfile::tempdir().unwrap();
    let mut cases: Vec<_> = fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 7, "the fixtures are missing: {cases:?}");
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let dir = tmp.path().join(&name);
        copy_dir(case, &dir);
        let env: Vec<(String, String)> = fs::read_to_string(dir.join("env"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let v1 = config(Path::new("docker-compose"), &[], &dir, &env);
        let ours = config(&berth_bin(), &["compose"], &dir, &env);
        let (v1, ours) = (
            normalize(v1, Side::DockerComposeV1, &name),
            normalize(ours, Side::Berth, &name),
        );
        for d in differences(&v1, &ours, "") {
            failures.push(format!("{name}: {d}"));
        }
    }
    assert!(
        failures.is_empty(),
        "berth compose config differs from docker-compose config:\n{}",
        failures.join("\n")
    );
}
