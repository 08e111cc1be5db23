//! The state root keeps what images and containers hold away from the host's other
//! users: a device node in a layer (here a world-writable block device, as a hostile
//! image would ship) cannot be opened through the layer store by anyone but root.

use std::process::Command;

use berth_tests::{require_tool, Berth};

/// A one-layer rootfs tar with a block and a char device node, both mode 0666.
fn hostile_tar(path: &std::path::Path) {
    let f = std::fs::File::create(path).expect("create tar");
    let mut t = tar::Builder::new(f);
    for (name, kind, major, minor) in [
        ("disk", tar::EntryType::Block, 7, 0),
        ("mem", tar::EntryType::Char, 1, 1),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_mode(0o666);
        h.set_size(0);
        h.set_device_major(major).expect("major");
        h.set_device_minor(minor).expect("minor");
        h.set_cksum();
        t.append_data(&mut h, name, std::io::empty())
            .expect("append");
    }
    t.finish().expect("finish tar");
}

#[test]
fn device_nodes_in_layers_are_out_of_other_users_reach() {
    require_tool("setpriv", "util-linux");
    let b = Berth::new();
    let tar = b.dir.path().join("hostile.tar");
    hostile_tar(&tar);
    b.ok(&["import", tar.to_str().expect("utf-8 path"), "hostile"]);
    b.busybox_image("busybox");
    // The layer is in the store once an image uses it.
    b.ok(&["create", "--name", "hh", "hostile", "x"]);
    let nodes: Vec<_> = std::fs::read_dir(b.root.join("layers"))
        .expect("layers dir")
        .flatten()
        .map(|e| e.path().join("disk"))
        .filter(|p| std::fs::symlink_metadata(p).is_ok())
        .collect();
    assert_eq!(nodes.len(), 1, "the device node is in the layer store");
    use std::os::unix::fs::PermissionsExt;
    for dir in ["layers", "containers", "tmp"] {
        let mode = std::fs::metadata(b.root.join(dir))
            .expect("stat")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "{dir} is {:o}", mode & 0o777);
    }
    // As nobody, the node cannot be reached.
    let out = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--",
            "head",
            "-c1",
        ])
        .arg(&nodes[0])
        .output()
        .expect("setpriv");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Permission denied"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Containers, root or not, are unaffected by the private store.
    assert_eq!(
        b.ok(&[
            "run",
            "--rm",
            "-u",
            "1000",
            "busybox",
            "cat",
            "/etc/hostname"
        ])
        .len(),
        12
    );
}
