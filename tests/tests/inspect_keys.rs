//! `inspect` carries Docker's keys with Docker's types (and `null` where Docker has
//! `null`), and records written before those keys existed still load.

#[path = "run_flags/helpers.rs"]
mod helpers;

use helpers::*;

#[test]
fn inspect_has_dockers_keys_and_types() {
    let b = setup();
    b.ok(&["run", "-d", "--name", "ii", "busybox", "sleep", "1000"]);
    let v: serde_json::Value = serde_json::from_str(&b.ok(&["inspect", "ii"])).unwrap();
    let c = &v[0];
    let hc = &c["HostConfig"];
    for (key, want) in [
        ("CpuPeriod", serde_json::json!(0)),
        ("CpuQuota", serde_json::json!(0)),
        ("Devices", serde_json::json!([])),
        ("Ulimits", serde_json::Value::Null),
        ("SecurityOpt", serde_json::Value::Null),
        ("ShmSize", serde_json::json!(67108864)),
        ("PidMode", serde_json::json!("")),
        ("IpcMode", serde_json::json!("private")),
        ("UTSMode", serde_json::json!("")),
        ("UsernsMode", serde_json::json!("")),
        ("CgroupnsMode", serde_json::json!("private")),
        ("OomKillDisable", serde_json::json!(false)),
        ("MemoryReservation", serde_json::json!(0)),
        ("MemorySwappiness", serde_json::Value::Null),
        ("DnsSearch", serde_json::json!([])),
        ("DnsOptions", serde_json::json!([])),
        ("GroupAdd", serde_json::Value::Null),
        ("VolumesFrom", serde_json::Value::Null),
        (
            "LogConfig",
            serde_json::json!({"Type": "json-file", "Config": {}}),
        ),
        ("OomScoreAdj", serde_json::json!(0)),
        ("ContainerIDFile", serde_json::json!("")),
        ("Binds", serde_json::Value::Null),
        ("CapAdd", serde_json::Value::Null),
        ("ExtraHosts", serde_json::Value::Null),
        ("Links", serde_json::Value::Null),
    ] {
        assert_eq!(hc.get(key), Some(&want), "HostConfig.{key}");
    }
    assert!(hc.get("Sysctls").is_none(), "Docker omits an empty Sysctls");
    assert!(hc["MaskedPaths"].as_array().is_some_and(|a| !a.is_empty()));
    assert!(hc["ReadonlyPaths"]
        .as_array()
        .is_some_and(|a| !a.is_empty()));
    assert_eq!(c["ExecIDs"], serde_json::Value::Null);
    let data = &c["GraphDriver"]["Data"];
    let lower = data["LowerDir"].as_str().unwrap();
    assert!(!lower.is_empty());
    for d in lower.split(':') {
        assert!(std::path::Path::new(d).is_dir(), "{d}");
    }
    for k in ["UpperDir", "MergedDir", "WorkDir"] {
        assert!(data[k].is_string(), "{k}");
    }
    let cfg = &c["Config"];
    assert_eq!(cfg["Image"], "busybox");
    assert_eq!(cfg["OnBuild"], serde_json::Value::Null);
    assert_eq!(cfg["Domainname"], "");
    for k in [
        "AttachStdin",
        "AttachStdout",
        "AttachStderr",
        "Tty",
        "OpenStdin",
        "StdinOnce",
    ] {
        assert!(cfg[k].is_boolean(), "Config.{k}");
    }
    let ns = &c["NetworkSettings"];
    assert_eq!(ns["EndpointID"].as_str().unwrap().len(), 64);
    assert_eq!(ns["SandboxID"].as_str().unwrap().len(), 64);
    assert_eq!(ns["IPPrefixLen"], 16);
    assert_eq!(ns["Bridge"], "");
    assert_eq!(ns["HairpinMode"], false);
    assert_eq!(ns["SecondaryIPAddresses"], serde_json::Value::Null);
    assert_eq!(ns["SecondaryIPv6Addresses"], serde_json::Value::Null);
    for k in ["LinkLocalIPv6Address", "GlobalIPv6Address", "IPv6Gateway"] {
        assert_eq!(ns[k], "", "{k}");
    }
    let bridge = &ns["Networks"]["bridge"];
    assert_eq!(bridge["EndpointID"], ns["EndpointID"]);
    assert_eq!(bridge["Links"], serde_json::Value::Null);
    assert_eq!(bridge["DriverOpts"], serde_json::Value::Null);
    // Stopped: no sandbox, no endpoint.
    b.ok(&["rm", "-f", "ii"]);
    b.ok(&["create", "--name", "ss", "busybox", "true"]);
    assert_eq!(b.inspect("ss", "{{.NetworkSettings.SandboxID}}"), "");
}

#[test]
fn records_from_before_the_new_keys_still_load() {
    let b = setup();
    let id = b.ok(&["create", "--name", "old", "busybox", "echo", "fine"]);
    let path = b.root.join("containers").join(&id).join("config.json");
    let mut rec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("config.json")).unwrap();
    let hc = rec["host_config"].as_object_mut().expect("host_config");
    for k in [
        "ShmSize",
        "IpcMode",
        "PidMode",
        "UTSMode",
        "Devices",
        "Ulimits",
        "GroupAdd",
        "DnsSearch",
        "DnsOptions",
        "VolumesFrom",
        "OomKillDisable",
        "OomScoreAdj",
        "ContainerIDFile",
    ] {
        assert!(hc.remove(k).is_some(), "the record has {k}");
    }
    std::fs::write(&path, serde_json::to_string(&rec).unwrap()).unwrap();
    assert_eq!(
        b.inspect("old", "{{.HostConfig.ShmSize}} {{.HostConfig.IpcMode}}"),
        "67108864 private"
    );
    let o = b.run(&["start", "-a", "old"]);
    assert_eq!((o.code, o.stdout.trim()), (0, "fine"), "{}", o.stderr);
}
