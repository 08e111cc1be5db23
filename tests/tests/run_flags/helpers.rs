//! Helpers shared by the run/create flag tests.

#![allow(dead_code)]

use berth_tests::Berth;

pub fn setup() -> Berth {
    let b = Berth::new();
    b.busybox_image("busybox");
    b
}

/// `berth run --rm busybox sh -c SCRIPT` with `flags` before the image.
pub fn sh(b: &Berth, flags: &[&str], script: &str) -> String {
    let mut args = vec!["run", "--rm"];
    args.extend_from_slice(flags);
    args.extend_from_slice(&["busybox", "sh", "-c", script]);
    b.ok(&args)
}

/// A refused `run`: exit 125, stderr says `says`, and no container was made.
pub fn refused(b: &Berth, args: &[&str], says: &str) {
    let before = b.ok(&["ps", "-aq"]);
    let o = b.run(args);
    assert_eq!(o.code, 125, "{args:?}: {}{}", o.stdout, o.stderr);
    assert!(o.stderr.contains(says), "{args:?}: {}", o.stderr);
    assert_eq!(b.ok(&["ps", "-aq"]), before, "{args:?} left a container");
}

pub fn host_file(p: &str) -> String {
    std::fs::read_to_string(p)
        .unwrap_or_else(|e| panic!("{p}: {e}"))
        .trim()
        .to_string()
}
