//! README.md's test command is what CI runs: `.ci/run` must run exactly that line.

use std::path::Path;

fn read(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

/// The shell line of the README's fenced block that runs `cargo test`.
fn readme_test_command(readme: &str) -> String {
    let mut in_sh = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_sh = line == "```sh";
            continue;
        }
        if in_sh && line.contains("cargo test") {
            return line.trim().to_string();
        }
    }
    panic!("README.md has no ```sh block running cargo test");
}

#[test]
fn ci_runs_exactly_the_readme_test_command() {
    let cmd = readme_test_command(&read("README.md"));
    assert!(
        cmd.starts_with("apt-get"),
        "it installs what the tests need: {cmd}"
    );
    let ci = read(".ci/run");
    let lines: Vec<&str> = ci
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert_eq!(lines.last().copied(), Some(cmd.as_str()), ".ci/run:\n{ci}");
}
