//! Whole projects: reading canonical JSON, errors with their key paths, printing.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::*;
use crate::compose::tree;

/// The keys of several JSON objects in one (json! cannot take them all at once).
fn merged(parts: &[Value]) -> Value {
    let mut out = serde_json::Map::new();
    for part in parts {
        if let Value::Object(m) = part {
            out.extend(m.clone());
        }
    }
    Value::Object(out)
}

/// A service using every key of the spec, in canonical form.
fn every_service_key() -> Value {
    merged(&[
        every_service_key_a(),
        every_service_key_b(),
        every_service_key_c(),
    ])
}

fn every_service_key_c() -> Value {
    json!({
        "cpu_count": 2, "cpu_percent": 50, "cpu_rt_period": 1000, "cpu_rt_runtime": 500,
        "mem_swappiness": 60,
        "provider": {"type": "model", "options": {"model": "ai/x", "flags": ["a", "b"]}},
        "pull_refresh_after": "1h",
        "pre_start": [{"image": "busybox", "command": "chown 1000 /data", "per_replica": true,
                       "environment": ["X=1"], "working_dir": "/", "privileged": true}]
    })
}

fn every_service_key_a() -> Value {
    json!({
        "image": "example/app:1.0",
        "build": {"context": ".", "dockerfile": "Dockerfile", "target": "prod", "args": {"V": "1"}},
        "command": "serve --port 80",
        "entrypoint": ["/entry.sh"],
        "environment": {"A": "1", "B": null},
        "env_file": [{"path": ".env", "required": false, "format": "raw"}],
        "ports": [{"target": 80, "published": "8080", "host_ip": "0.0.0.0", "protocol": "tcp",
                   "mode": "ingress", "app_protocol": "http", "name": "web"}],
        "expose": ["9000"],
        "volumes": [
            {"type": "volume", "source": "data", "target": "/data", "volume": {"nocopy": true, "subpath": "x"}},
            {"type": "bind", "source": "./src", "target": "/src", "read_only": true, "consistency": "cached",
             "bind": {"propagation": "rprivate", "create_host_path": true, "selinux": "Z"}},
            {"type": "tmpfs", "target": "/run", "tmpfs": {"size": 65536, "mode": 1777}},
            {"type": "image", "source": "alpine", "target": "/img", "image": {"subpath": "etc"}}
        ],
        "networks": {"front": {"aliases": ["w"], "ipv4_address": "10.5.0.5", "ipv6_address": "fd00::5",
                               "link_local_ips": ["169.254.0.5"], "priority": 100, "gw_priority": 1,
                               "mac_address": "02:42:ac:11:00:02", "driver_opts": {"o": "v"},
                               "interface_name": "eth1"},
                     "back": null},
        "network_mode": null,
        "links": ["db:database"],
        "external_links": ["redis_1"],
        "depends_on": {"db": {"condition": "service_healthy", "required": true, "restart": true}},
        "healthcheck": {"test": ["CMD", "true"], "interval": "10s", "timeout": "5s", "retries": 3,
                        "start_period": "30s", "start_interval": "1s", "disable": false},
        "restart": "unless-stopped"
    })
}

fn every_service_key_b() -> Value {
    json!({
        "labels": {"com.example": "x"},
        "annotations": {"a": "b"},
        "container_name": "app",
        "hostname": "app",
        "domainname": "example.com",
        "working_dir": "/srv",
        "user": "1000:1000",
        "stop_signal": "SIGINT",
        "stop_grace_period": "1m30s",
        "init": true,
        "tmpfs": ["/tmp"],
        "read_only": false,
        "stdin_open": true,
        "tty": true,
        "extra_hosts": {"host.docker.internal": ["host-gateway"]},
        "dns": ["1.1.1.1"], "dns_search": ["example.com"], "dns_opt": ["use-vc"],
        "cap_add": ["NET_ADMIN"], "cap_drop": ["ALL"],
        "privileged": false,
        "ulimits": {"nofile": {"soft": 1024, "hard": 2048}, "nproc": 512},
        "pids_limit": 100,
        "mem_limit": "512m", "mem_reservation": "128m", "memswap_limit": -1, "shm_size": "64m",
        "cpus": 1.5, "cpu_shares": 512, "cpuset": "0-1", "cpu_quota": 50000, "cpu_period": 100000,
        "logging": {"driver": "json-file", "options": {"max-size": "10m", "max-file": 3}},
        "deploy": {"mode": "replicated", "replicas": 2, "labels": {"l": "v"},
                   "resources": {"limits": {"cpus": "0.5", "memory": "256M", "pids": 50},
                                 "reservations": {"cpus": 0.25, "memory": "64M",
                                                  "devices": [{"capabilities": ["gpu"], "count": 1}]}},
                   "restart_policy": {"condition": "on-failure", "delay": "5s", "max_attempts": 3, "window": "1m"},
                   "update_config": {"parallelism": 1, "delay": "10s", "order": "stop-first"},
                   "rollback_config": {"parallelism": 1},
                   "placement": {"constraints": ["node.role==worker"]},
                   "endpoint_mode": "vip"},
        "secrets": [{"source": "token", "target": "/run/secrets/token", "uid": "0", "gid": "0", "mode": 288}],
        "configs": [{"source": "conf", "target": "/etc/app.conf"}],
        "profiles": ["full"],
        "extends": {"service": "base", "file": "base.yaml"},
        "develop": {"watch": [{"path": "./src", "action": "sync", "target": "/src", "ignore": ["*.tmp"],
                               "include": ["*.rs"]},
                              {"path": "./pkg", "action": "sync+exec", "exec": {"command": ["make"]}}]},
        "platform": "linux/amd64",
        "pull_policy": "missing",
        "scale": 2,
        "sysctls": {"net.core.somaxconn": "1024"},
        "security_opt": ["no-new-privileges:true"],
        "userns_mode": "host", "pid": "host", "ipc": "shareable", "uts": "host",
        "group_add": ["audio", 44],
        "devices": [{"source": "/dev/fuse", "target": "/dev/fuse", "permissions": "rwm"}],
        "device_cgroup_rules": ["c 1:3 mr"],
        "oom_kill_disable": true, "oom_score_adj": -500,
        "runtime": "runc", "isolation": "default", "mac_address": "02:42:ac:11:00:03",
        "volumes_from": ["other:ro"],
        "post_start": [{"command": "echo started", "user": "root"}],
        "pre_stop": [{"command": ["echo", "stopping"]}],
        "attach": false,
        "cgroup": "private", "cgroup_parent": "/berth",
        "storage_opt": {"size": "20G"},
        "label_file": ["./labels"],
        "gpus": [{"count": -1, "driver": "nvidia"}],
        "blkio_config": {"weight": 300},
        "credential_spec": {"file": "spec.json"},
        "use_api_socket": false,
        "models": {"llm": {"endpoint_var": "LLM_URL"}}
    })
}

fn project() -> Value {
    json!({
        "version": "3.9",
        "name": "demo",
        "services": {"app": every_service_key(), "db": {"image": "postgres:16"}},
        "networks": {
            "front": {"driver": "bridge", "driver_opts": {"mtu": "1400"}, "attachable": true,
                      "enable_ipv4": true, "enable_ipv6": false, "internal": false, "labels": {"n": "1"},
                      "ipam": {"driver": "default", "options": {"o": "1"},
                               "config": [{"subnet": "10.5.0.0/16", "ip_range": "10.5.1.0/24",
                                           "gateway": "10.5.0.1", "aux_addresses": {"r": "10.5.0.2"}}]}},
            "back": null,
            "shared": {"external": true, "name": "shared-net"}
        },
        "volumes": {"data": {"driver": "local", "driver_opts": {"type": "tmpfs"}, "labels": {"v": "1"}},
                    "old": {"external": true, "name": "old-data"}, "bare": null},
        "secrets": {"token": {"file": "./token.txt"}, "env": {"environment": "TOKEN"},
                    "ext": {"external": true, "name": "x"}},
        "configs": {"conf": {"content": "x=1", "template_driver": "golang"}, "f": {"file": "./c.conf"}},
        "models": {"llm": {"model": "ai/smollm2", "context_size": 4096, "runtime_flags": ["--x"]}},
        "include": [{"path": ["other.yaml"], "project_directory": ".", "env_file": ["o.env"]}]
    })
}

#[test]
fn reads_every_key_of_a_canonical_project() {
    let p = from_json(project()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.service_names(), ["app", "db"]);
    let app = &p.services["app"];
    assert_eq!(
        app.command.as_ref().map(ShellCommand::to_vec),
        Some(Ok(vec!["serve".into(), "--port".into(), "80".into()]))
    );
    assert_eq!(
        app.entrypoint,
        Some(ShellCommand::Exec(vec!["/entry.sh".into()]))
    );
    assert_eq!(app.environment["B"], None);
    assert_eq!(app.ports[0].published.as_deref(), Some("8080"));
    assert_eq!(
        app.volumes[2].tmpfs.as_ref().and_then(|t| t.size),
        Some(Bytes(65536))
    );
    assert_eq!(app.networks["back"], None);
    assert_eq!(app.depends_on["db"].condition, Condition::ServiceHealthy);
    assert_eq!(app.stop_grace_period, Some(Duration::from_secs(90)));
    assert_eq!(app.mem_limit, Some(Bytes(512 << 20)));
    assert_eq!(app.memswap_limit, Some(Bytes(-1)));
    assert_eq!(app.cpus, Some(1.5));
    assert_eq!(app.ulimits["nproc"], Ulimit::Single(512));
    assert_eq!(app.group_add, ["audio", "44"]);
    assert_eq!(app.extra_hosts["host.docker.internal"], ["host-gateway"]);
    assert_eq!(
        app.logging.as_ref().map(|l| l.options["max-file"].as_str()),
        Some("3")
    );
    assert_eq!(app.secrets[0].mode, Some(FileMode(0o440)));
    assert_eq!(app.gpus[0].count, Some(DeviceCount::ALL));
    assert_eq!(app.replicas(), 2);
    assert_eq!(
        app.provider.as_ref().map(|p| p.options["flags"].len()),
        Some(2)
    );
    assert_eq!(app.pre_start[0].image.as_deref(), Some("busybox"));
    assert_eq!(app.cpu_percent, Some(50.0));
    assert_eq!(p.networks["back"], Network::default());
    assert_eq!(
        p.networks["front"].ipam.config[0].gateway.as_deref(),
        Some("10.5.0.1")
    );
    assert!(p.volumes["old"].external);
    assert_eq!(p.configs["conf"].content.as_deref(), Some("x=1"));
    assert_eq!(p.models["llm"].context_size, Some(4096));
    assert_eq!(p.version.as_deref(), Some("3.9"));
}

#[test]
fn printing_and_reading_back_gives_the_same_project() {
    let p = from_json(project()).unwrap_or_else(|e| panic!("{e}"));
    let printed = serde_json::to_value(&p).unwrap();
    let again = from_json(printed.clone()).unwrap_or_else(|e| panic!("{e}"));
    // `version`, `include` and `pull_refresh_after` are not printed, as compose drops
    // them; everything else survives.
    let mut expected = Project {
        version: None,
        include: Vec::new(),
        ..p
    };
    for service in expected.services.values_mut() {
        service.pull_refresh_after = None;
    }
    assert_eq!(again, expected);
    assert_eq!(serde_json::to_value(&again).unwrap(), printed);
}

#[test]
fn prints_as_compose_config_does() {
    let p = from_json(json!({
        "name": "demo",
        "services": {
            "web": {
                "volumes": [{"type": "volume", "source": "data", "target": "/data"}],
                "stop_grace_period": "90s",
                "ports": [{"target": "80", "published": 8080, "protocol": "tcp", "mode": "ingress"}],
                "networks": {"front": null},
                "mem_limit": "512m",
                "image": "nginx:1.27",
                "healthcheck": {"test": ["CMD", "curl", "-f", "http://localhost"], "interval": "30s", "retries": 3},
                "environment": ["B", "A=1"],
                "depends_on": {"db": {"condition": "service_healthy", "required": true}},
                "command": "nginx -g 'daemon off;'",
                "privileged": false,
                "cpus": "2"
            },
            "db": {"image": "postgres"}
        },
        "volumes": {"data": null},
        "networks": {"front": {}}
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    let expected = concat!(
        r#"{"name":"demo","services":{"db":{"image":"postgres"},"web":{"#,
        r#""cpus":2,"command":["nginx","-g","daemon off;"],"#,
        r#""depends_on":{"db":{"condition":"service_healthy","required":true}},"#,
        r#""environment":{"A":"1","B":null},"#,
        r#""healthcheck":{"test":["CMD","curl","-f","http://localhost"],"interval":"30s","retries":3},"#,
        r#""image":"nginx:1.27","mem_limit":"536870912","networks":{"front":null},"#,
        r#""ports":[{"mode":"ingress","target":80,"published":"8080","protocol":"tcp"}],"#,
        r#""stop_grace_period":"1m30s","#,
        r#""volumes":[{"type":"volume","source":"data","target":"/data"}]}},"#,
        r#""networks":{"front":{}},"volumes":{"data":{}}}"#
    );
    assert_eq!(serde_json::to_string(&p).unwrap(), expected);
}

fn err(v: Value) -> ModelError {
    match from_json(v) {
        Ok(p) => panic!("accepted: {p:?}"),
        Err(e) => e,
    }
}

#[test]
fn unknown_keys_read_as_compose_words_them() {
    let e = err(json!({"services": {"web": {"imagee": "nginx"}}}));
    assert_eq!(e.path, "services.web");
    assert_eq!(e.message, "additional properties 'imagee' not allowed");
    assert_eq!(
        e.to_string(),
        "services.web additional properties 'imagee' not allowed"
    );
    assert_eq!(e.unknown_key(), Some("imagee"));
    let e = err(json!({"service": {}}));
    assert_eq!(
        (e.path.as_str(), e.to_string().as_str()),
        ("", "additional properties 'service' not allowed")
    );
    let e = err(
        json!({"services": {"web": {"depends_on": {"db": {"condition": "service_started", "when": 1}}}}}),
    );
    assert_eq!(
        e.to_string(),
        "services.web.depends_on.db additional properties 'when' not allowed"
    );
    let e = err(json!({"networks": {"n": {"ipam": {"config": [{"subnett": "x"}]}}}}));
    assert_eq!(
        e.to_string(),
        "networks.n.ipam.config[0] additional properties 'subnett' not allowed"
    );
    // A key spelled like its own service is still reported at the service.
    let e = err(json!({"services": {"web": {"web": 1}}}));
    assert_eq!(e.path, "services.web");
    // compose-go's model has no `log_driver` in the schema; neither does this one.
    let e = err(json!({"services": {"web": {"log_driver": "syslog"}}}));
    assert_eq!(e.unknown_key(), Some("log_driver"));
}

#[test]
fn type_errors_name_the_key_path() {
    let e = err(json!({"services": {"web": {"ports": [{"target": "x"}]}}}));
    assert_eq!(
        e.to_string(),
        "services.web.ports[0].target: invalid type: string \"x\", expected u16"
    );
    let e = err(json!({"services": {"web": {"privileged": "maybe"}}}));
    assert_eq!(
        e.to_string(),
        "services.web.privileged: invalid type: string \"maybe\", expected a boolean"
    );
    let e = err(json!({"services": {"web": {"use_api_socket": "true"}}}));
    assert_eq!(e.path, "services.web.use_api_socket");
    let e = err(json!({"services": {"web": {"stop_grace_period": "10"}}}));
    assert_eq!(
        e.to_string(),
        "services.web.stop_grace_period: missing unit in duration \"10\""
    );
    let e = err(json!({"services": {"web": {"mem_limit": "lots"}}}));
    assert_eq!(
        e.to_string(),
        "services.web.mem_limit: invalid size: 'lots'"
    );
    let e = err(json!({"services": {"web": {"command": "echo 'open"}}}));
    assert_eq!(
        e.to_string(),
        "services.web.command: invalid command line string"
    );
    let e = err(json!({"services": {"web": {"volumes": [{"type": "nfs", "target": "/x"}]}}}));
    assert_eq!(
        e.to_string(),
        "services.web.volumes[0].type value must be one of 'bind', 'volume', 'tmpfs', 'npipe', 'cluster', 'image'"
    );
    let e = err(json!({"services": {"web": {"env_file": [{"required": true}]}}}));
    assert_eq!(
        e.to_string(),
        "services.web.env_file[0] missing property 'path'"
    );
    let e = err(json!({"services": {"web": {"labels": {"a": [1]}}}}));
    assert_eq!(e.path, "services.web.labels.a");
    let e = err(json!({"services": []}));
    assert_eq!(
        e.to_string(),
        "services: invalid type: sequence, expected a map"
    );
}

#[test]
fn strings_where_the_schema_allows_them() {
    // An interpolated value is a string; compose-go casts these.
    let p = from_json(json!({"services": {"web": {
        "privileged": "true", "read_only": "no", "init": "yes", "pids_limit": "-1",
        "cpu_shares": "512", "scale": "3", "cpus": "0.5",
        "depends_on": {"db": {"condition": "service_started", "required": "false"}}
    }}}))
    .unwrap_or_else(|e| panic!("{e}"));
    let web = &p.services["web"];
    assert!(web.privileged && !web.read_only);
    assert_eq!(
        (web.init, web.pids_limit, web.cpu_shares, web.scale),
        (Some(true), Some(-1), Some(512), Some(3))
    );
    assert!(!web.depends_on["db"].required);
}

#[test]
fn error_paths_find_their_line_through_the_tree() {
    let text = "services:\n  web:\n    image: nginx\n    ports:\n      - target: eighty\n        published: \"80\"\n";
    let root = tree::parse("compose.yaml", text).unwrap();
    let mut origins = BTreeMap::new();
    let e = from_json(root.to_json("", &mut origins)).unwrap_err();
    assert_eq!(e.path, "services.web.ports[0].target");
    assert_eq!(origins[&e.path].to_string(), "compose.yaml:5");

    let text = "services:\n  web:\n    image: nginx\n    imagee: nginx\n";
    let root = tree::parse("compose.yaml", text).unwrap();
    let mut origins = BTreeMap::new();
    let e = from_json(root.to_json("", &mut origins)).unwrap_err();
    let key = tree::join(&e.path, e.unknown_key().unwrap_or_default());
    assert_eq!(origins[&key].line, 4);
}
