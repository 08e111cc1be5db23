//! Create bodies of services loaded from real compose files, compared as the JSON the
//! engine API carries.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde_json::{json, Value};

use super::*;
use crate::compose::load::{load, LoadOptions, Loaded};

const CCT: &str = r#"
name: cct
services:
  web:
    image: nginx:1.27
    command: ["nginx", "-g", "daemon off;"]
    entrypoint: /docker-entrypoint.sh
    environment:
      MODE: prod
      EMPTY: ""
      FROM_SHELL:
    working_dir: /srv
    user: "101:101"
    ports:
      - "127.0.0.1:4000-4010:80"
      - "8443:443/tcp"
      - "9000"
    expose: ["3000", "5000/udp"]
    volumes:
      - ./site:/usr/share/nginx/html:ro
      - data:/var/lib/data
      - type: tmpfs
        target: /cache
        tmpfs: {size: 1m}
      - type: bind
        source: ./conf
        target: /etc/nginx/conf.d/
        bind: {create_host_path: false, propagation: rslave}
    tmpfs: /run:size=64m
    healthcheck:
      test: curl -f http://localhost
      interval: 30s
      timeout: 5s
      retries: 3
      start_period: 1m
      start_interval: 2s
    restart: on-failure:3
    logging:
      driver: awslogs
      options:
        awslogs-region: us-east-1
        awslogs-group: cctWebServerGroup
        awslogs-create-group: "true"
    mem_limit: 512m
    cpus: 1.5
    pids_limit: 100
    deploy:
      resources:
        limits: {memory: 256m}
        reservations: {memory: 64m}
    ulimits:
      nofile: {soft: 1024, hard: 4096}
      nproc: 65535
    networks:
      back: {}
      front:
        aliases: [www]
        priority: 10
        ipv4_address: 172.30.0.10
    secrets:
      - token
      - source: cert
        target: tls.pem
    configs:
      - motd
    labels:
      tier: front
    depends_on:
      db: {condition: service_healthy, restart: true}
    stop_grace_period: 1m30s
    stop_signal: SIGQUIT
    cap_add: [NET_ADMIN]
    extra_hosts: ["db.local:10.0.0.5"]
    dns: 8.8.8.8
    sysctls: {net.core.somaxconn: 1024}
    links: ["db:database"]
  db:
    image: postgres:16
    networks: [back]
volumes:
  data: {}
networks:
  front: {}
  back: {}
secrets:
  token: {file: ./token.txt}
  cert: {file: ./cert.pem}
configs:
  motd: {content: hello}
"#;

fn loaded(dir: &Path, yaml: &str) -> Loaded {
    fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{e}"));
    fs::write(dir.join("compose.yaml"), yaml).unwrap_or_else(|e| panic!("{e}"));
    let o = LoadOptions {
        working_dir: dir.to_path_buf(),
        process_env: BTreeMap::from([("TOKEN_VALUE".to_string(), "s3cret".to_string())]),
        ..Default::default()
    };
    load(&o).unwrap_or_else(|e| panic!("load failed: {e}"))
}

const FILES: &[String] = &[];

fn spec<'a>(l: &'a Loaded, service: &'a str, number: u32) -> Spec<'a> {
    Spec {
        project: &l.project,
        service_name: service,
        service: l
            .project
            .service(service)
            .unwrap_or_else(|| panic!("no service {service}")),
        number,
        oneoff: false,
        image: "img:test".into(),
        working_dir: &l.dir,
        config_files: FILES,
        config_hash: "abc123",
    }
}

fn body(s: &Spec) -> (String, Value) {
    let (name, b) = create_body(s).unwrap_or_else(|e| panic!("{e}"));
    (
        name,
        serde_json::to_value(b).unwrap_or_else(|e| panic!("{e}")),
    )
}

fn project(v: Value) -> model::Project {
    model::from_json(v).unwrap_or_else(|e| panic!("{e}"))
}

fn error(s: &Spec) -> String {
    match create_body(s) {
        Ok(_) => panic!("created, but an error was expected"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_realistic_service_as_compose_creates_it() {
    let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let l = loaded(d.path(), CCT);
    let dir = l.dir.to_string_lossy().into_owned();
    let files = vec![format!("{dir}/compose.yaml")];
    let mut s = spec(&l, "web", 1);
    s.config_files = &files;
    let (name, b) = body(&s);
    assert_eq!(name, "cct-web-1");
    assert_eq!(b["Image"], "img:test");
    assert_eq!(b["Cmd"], json!(["nginx", "-g", "daemon off;"]));
    assert_eq!(b["Entrypoint"], json!(["/docker-entrypoint.sh"]));
    // A variable set nowhere is passed bare: the engine leaves it unset.
    assert_eq!(b["Env"], json!(["EMPTY=", "FROM_SHELL", "MODE=prod"]));
    assert_eq!(b["WorkingDir"], "/srv");
    assert_eq!(b["User"], "101:101");
    assert!(b.get("Hostname").is_none() && b.get("Domainname").is_none());
    assert_eq!(
        b["ExposedPorts"],
        json!({"3000": {}, "5000/udp": {}, "80/tcp": {}, "443/tcp": {}, "9000/tcp": {}})
    );
    assert_eq!((&b["Tty"], &b["OpenStdin"]), (&json!(false), &json!(false)));
    assert_eq!(b["StopSignal"], "SIGQUIT");
    assert_eq!(b["StopTimeout"], 90);
    assert_eq!(
        b["Healthcheck"],
        json!({
            "Test": ["CMD-SHELL", "curl -f http://localhost"],
            "Interval": 30_000_000_000_i64, "Timeout": 5_000_000_000_i64, "Retries": 3,
            "StartPeriod": 60_000_000_000_i64, "StartInterval": 2_000_000_000_i64
        })
    );
    assert_eq!(
        b["Labels"],
        json!({
            "tier": "front",
            "com.docker.compose.project": "cct",
            "com.docker.compose.service": "web",
            "com.docker.compose.version": "2.29.0",
            "com.docker.compose.project.working_dir": dir,
            "com.docker.compose.project.config_files": format!("{dir}/compose.yaml"),
            "com.docker.compose.oneoff": "False",
            "com.docker.compose.config-hash": "abc123",
            "com.docker.compose.container-number": "1",
            "com.docker.compose.depends_on": "db:service_healthy:true",
        })
    );

    let hc = &b["HostConfig"];
    assert_eq!(
        hc["PortBindings"],
        json!({
            "80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "4000-4010"}],
            "443/tcp": [{"HostIp": "", "HostPort": "8443"}],
            "9000/tcp": [{"HostIp": "", "HostPort": ""}],
        })
    );
    assert_eq!(hc["PublishAllPorts"], false);
    // The short-syntax bind creates its host path: a bind string. Everything else is
    // a mount; the named volume by its engine name.
    assert_eq!(
        hc["Binds"],
        json!([format!("{dir}/site:/usr/share/nginx/html:ro")])
    );
    assert_eq!(
        hc["Mounts"],
        json!([
            {"Type": "volume", "Source": "cct_data", "Target": "/var/lib/data", "VolumeOptions": {}},
            {"Type": "tmpfs", "Target": "/cache", "TmpfsOptions": {"SizeBytes": 1_048_576}},
            {"Type": "bind", "Source": format!("{dir}/conf"), "Target": "/etc/nginx/conf.d",
             "BindOptions": {"Propagation": "rslave"}},
            {"Type": "bind", "Source": format!("{dir}/token.txt"), "Target": "/run/secrets/token",
             "ReadOnly": true},
            {"Type": "bind", "Source": format!("{dir}/cert.pem"), "Target": "/run/secrets/tls.pem",
             "ReadOnly": true},
        ])
    );
    assert_eq!(hc["Tmpfs"], json!({"/run": "size=64m"}));
    assert_eq!(
        hc["RestartPolicy"],
        json!({"Name": "on-failure", "MaximumRetryCount": 3})
    );
    assert_eq!(
        hc["LogConfig"],
        json!({"Type": "awslogs", "Config": {
            "awslogs-region": "us-east-1", "awslogs-group": "cctWebServerGroup",
            "awslogs-create-group": "true"
        }})
    );
    // deploy limits win over mem_limit; cpus and pids_limit as given.
    assert_eq!(hc["Memory"], 256 << 20);
    assert_eq!(hc["MemoryReservation"], 64 << 20);
    assert_eq!(hc["NanoCpus"], 1_500_000_000_i64);
    assert_eq!(hc["PidsLimit"], 100);
    assert_eq!(
        hc["Ulimits"],
        json!([{"Name": "nofile", "Soft": 1024, "Hard": 4096},
               {"Name": "nproc", "Soft": 65535, "Hard": 65535}])
    );
    assert_eq!(hc["CapAdd"], json!(["NET_ADMIN"]));
    assert_eq!(hc["ExtraHosts"], json!(["db.local:10.0.0.5"]));
    assert_eq!(hc["Dns"], json!(["8.8.8.8"]));
    assert_eq!(hc["Sysctls"], json!({"net.core.somaxconn": "1024"}));
    let links = json!(["cct-db-1:database", "cct-db-1:db-1", "cct-db-1:cct-db-1"]);
    assert_eq!(hc["Links"], links);
    assert_eq!(
        (&hc["Privileged"], &hc["ReadonlyRootfs"]),
        (&json!(false), &json!(false))
    );

    // Created on the highest-priority network, with one endpoint; `back` comes later.
    assert_eq!(hc["NetworkMode"], "cct_front");
    assert_eq!(
        b["NetworkingConfig"],
        json!({"EndpointsConfig": {"cct_front": {
            "Aliases": ["cct-web-1", "web", "www"],
            "IPAMConfig": {"IPv4Address": "172.30.0.10"},
            "Links": links,
        }}})
    );
}

#[test]
fn networks_in_priority_order_and_their_endpoints() {
    let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let l = loaded(d.path(), CCT);
    let web = &l.project.services["web"];
    let order = networks_in_order(web);
    let keys: Vec<&str> = order.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["front", "back"]);
    let (name, ep) = endpoint(&l.project, "web", "cct-web-1", "back", order[1].1);
    assert_eq!(name, "cct_back");
    assert_eq!(
        serde_json::to_value(ep).unwrap_or_default(),
        json!({"Aliases": ["cct-web-1", "web"]})
    );
    let db = &l.project.services["db"];
    assert_eq!(networks_in_order(db).len(), 1);
    let (_, b) = body(&spec(&l, "db", 1));
    assert_eq!(b["HostConfig"]["NetworkMode"], "cct_back");
    assert_eq!(
        b["NetworkingConfig"]["EndpointsConfig"]["cct_back"]["Aliases"],
        json!(["cct-db-1", "db"])
    );
    assert_eq!(b["Labels"]["com.docker.compose.depends_on"], "");
}

#[test]
fn a_service_on_no_network_named_joins_the_default_one() {
    let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let l = loaded(
        d.path(),
        "name: demo\nservices:\n  app:\n    image: busybox\n    mac_address: 02:42:ac:11:00:02\n",
    );
    let (_, b) = body(&spec(&l, "app", 1));
    assert_eq!(b["HostConfig"]["NetworkMode"], "demo_default");
    assert_eq!(
        b["NetworkingConfig"],
        json!({"EndpointsConfig": {"demo_default": {
            "Aliases": ["demo-app-1", "app"], "MacAddress": "02:42:ac:11:00:02"
        }}})
    );
    assert!(b.get("Cmd").is_none() && b.get("Entrypoint").is_none() && b.get("Env").is_none());
    assert!(b["HostConfig"].get("RestartPolicy").is_none());
    assert!(b.get("Healthcheck").is_none());
}

#[test]
fn replicas_and_one_off_containers() {
    let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let l = loaded(d.path(), CCT);
    let (name, b) = body(&spec(&l, "web", 3));
    assert_eq!(name, "cct-web-3");
    assert_eq!(b["Labels"]["com.docker.compose.container-number"], "3");
    // Every replica asks for the same range; the engine picks a free port in it.
    assert_eq!(
        b["HostConfig"]["PortBindings"]["80/tcp"],
        json!([{"HostIp": "127.0.0.1", "HostPort": "4000-4010"}])
    );
    assert_eq!(
        b["HostConfig"]["Links"][1], "cct-db-1:db-3",
        "compose names a link after the linking container's number"
    );
    let mut run = spec(&l, "web", 1);
    run.oneoff = true;
    let (name, b) = body(&run);
    assert_eq!(name, "cct-web-run-1");
    assert_eq!(b["Labels"]["com.docker.compose.oneoff"], "True");
    assert!(b["HostConfig"].get("RestartPolicy").is_none());
    assert_eq!(
        b["NetworkingConfig"]["EndpointsConfig"]["cct_front"]["Aliases"],
        json!(["cct-web-run-1"])
    );
    assert_eq!(container_name("cct", "web", 2, None), "cct-web-2");
    assert_eq!(container_name("cct", "web", 2, Some("nginx")), "nginx");
    assert_eq!(container_name("cct", "web", 2, Some("")), "cct-web-2");
    assert_eq!(
        run_container_name("cct", "web", "0123456789abcdef0123"),
        "cct-web-run-0123456789ab"
    );
}

#[test]
fn namespaces_and_volumes_shared_with_other_services() {
    let p = project(json!({
        "name": "demo",
        "services": {
            "vpn": {"image": "wireguard", "container_name": "the-vpn"},
            "db": {"image": "postgres"},
            "app": {
                "image": "app",
                "network_mode": "service:vpn",
                "ipc": "service:db",
                "pid": "host",
                "volumes_from": ["db:ro", "vpn", "container:legacy:rw"],
            },
            "solo": {"image": "x", "network_mode": "none"},
        },
        "networks": {"default": {"name": "demo_default"}},
    }));
    let files: Vec<String> = Vec::new();
    let mk = |service: &'static str| Spec {
        project: &p,
        service_name: service,
        service: &p.services[service],
        number: 1,
        oneoff: false,
        image: "i".into(),
        working_dir: Path::new("/srv/demo"),
        config_files: &files,
        config_hash: "h",
    };
    let (_, b) = body(&mk("app"));
    let hc = &b["HostConfig"];
    assert_eq!(hc["NetworkMode"], "container:the-vpn");
    assert_eq!(hc["IpcMode"], "container:demo-db-1");
    assert_eq!(hc["PidMode"], "host");
    assert_eq!(
        hc["VolumesFrom"],
        json!(["demo-db-1:ro", "the-vpn", "legacy:rw"])
    );
    assert!(b.get("NetworkingConfig").is_none());
    let (_, b) = body(&mk("solo"));
    assert_eq!(b["HostConfig"]["NetworkMode"], "none");
    assert!(b.get("NetworkingConfig").is_none());
}

fn one_service(service: Value, extra: Value) -> model::Project {
    let mut v = json!({
        "name": "p",
        "services": {"s": service},
        "networks": {"default": {"name": "p_default"}},
    });
    if let (Some(m), Value::Object(extra)) = (v.as_object_mut(), extra) {
        m.extend(extra);
    }
    project(v)
}

fn spec_of<'a>(p: &'a model::Project, files: &'a [String]) -> Spec<'a> {
    Spec {
        project: p,
        service_name: "s",
        service: &p.services["s"],
        number: 1,
        oneoff: false,
        image: "i".into(),
        working_dir: Path::new("/w"),
        config_files: files,
        config_hash: "h",
    }
}

#[test]
fn restart_policies_healthchecks_and_resources() {
    let cases = [
        (
            json!({"restart": "always"}),
            json!({"Name": "always", "MaximumRetryCount": 0}),
        ),
        (
            json!({"restart": "no"}),
            json!({"Name": "no", "MaximumRetryCount": 0}),
        ),
        (
            json!({"restart": "unless-stopped"}),
            json!({"Name": "unless-stopped", "MaximumRetryCount": 0}),
        ),
        (
            json!({"restart": "on-failure"}),
            json!({"Name": "on-failure", "MaximumRetryCount": 0}),
        ),
        (
            json!({"restart": "always", "deploy": {"restart_policy": {"condition": "on-failure", "max_attempts": 5}}}),
            json!({"Name": "on-failure", "MaximumRetryCount": 5}),
        ),
        (
            json!({"deploy": {"restart_policy": {"condition": "any"}}}),
            json!({"Name": "always", "MaximumRetryCount": 0}),
        ),
    ];
    for (extra, want) in cases {
        let mut svc = json!({"image": "i"});
        if let (Some(m), Value::Object(extra)) = (svc.as_object_mut(), extra) {
            m.extend(extra);
        }
        let p = one_service(svc, json!({}));
        let (_, b) = body(&spec_of(&p, &[]));
        assert_eq!(b["HostConfig"]["RestartPolicy"], want);
    }
    let p = one_service(
        json!({
            "image": "i",
            "healthcheck": {"disable": true},
            "cpus": 0.1, "cpu_shares": 512, "cpuset": "0-1", "cpu_quota": 50000, "cpu_period": 100000,
            "memswap_limit": -1, "mem_reservation": "32m", "shm_size": "64m", "oom_score_adj": -500,
            "devices": [{"source": "/dev/fuse", "permissions": "rwm"}],
            "gpus": [{"count": -1, "driver": "nvidia"}],
            "group_add": ["audio"], "privileged": true, "read_only": true, "init": true,
            "security_opt": ["no-new-privileges:true", "systempaths=unconfined"],
            "dns_search": ["example.com"], "dns_opt": ["ndots:2"], "hostname": "h1",
            "domainname": "example.com", "tty": true, "stdin_open": true,
            "cap_drop": ["ALL"], "userns_mode": "host", "cgroup": "private",
            "command": [], "entrypoint": [],
        }),
        json!({}),
    );
    let (_, b) = body(&spec_of(&p, &[]));
    assert_eq!(b["Healthcheck"], json!({"Test": ["NONE"]}));
    assert_eq!(
        (&b["Hostname"], &b["Domainname"]),
        (&json!("h1"), &json!("example.com"))
    );
    assert_eq!((&b["Tty"], &b["OpenStdin"]), (&json!(true), &json!(true)));
    // An empty command or entrypoint clears the image's.
    assert_eq!((&b["Cmd"], &b["Entrypoint"]), (&json!([]), &json!([])));
    let hc = &b["HostConfig"];
    let get = |k: &str| hc[k].clone();
    assert_eq!(
        get("NanoCpus"),
        100_000_000,
        "0.1 CPUs in float32 as compose computes"
    );
    assert_eq!(get("CpuShares"), 512);
    assert_eq!(get("CpusetCpus"), "0-1");
    assert_eq!(
        (get("CpuQuota"), get("CpuPeriod")),
        (json!(50000), json!(100_000))
    );
    assert_eq!(get("MemorySwap"), -1);
    assert_eq!(get("MemoryReservation"), 32 << 20);
    assert_eq!(get("ShmSize"), 64 << 20);
    assert_eq!(get("OomScoreAdj"), -500);
    assert_eq!(
        get("Devices"),
        json!([{"PathOnHost": "/dev/fuse", "PathInContainer": "/dev/fuse", "CgroupPermissions": "rwm"}])
    );
    assert_eq!(
        get("DeviceRequests"),
        json!([{"Driver": "nvidia", "Count": -1, "Capabilities": [["gpu"]]}])
    );
    assert_eq!(get("GroupAdd"), json!(["audio"]));
    assert_eq!(
        (get("Privileged"), get("ReadonlyRootfs"), get("Init")),
        (json!(true), json!(true), json!(true))
    );
    // systempaths=unconfined is compose's (docker/cli's): empty masked paths instead.
    assert_eq!(get("SecurityOpt"), json!(["no-new-privileges:true"]));
    assert_eq!(
        (get("MaskedPaths"), get("ReadonlyPaths")),
        (json!([]), json!([]))
    );
    assert_eq!(get("DnsSearch"), json!(["example.com"]));
    assert_eq!(get("DnsOptions"), json!(["ndots:2"]));
    assert_eq!(get("CapDrop"), json!(["ALL"]));
    assert_eq!(
        (get("UsernsMode"), get("CgroupnsMode")),
        (json!("host"), json!("private"))
    );
}

#[test]
fn a_seccomp_profile_file_is_passed_inline() {
    let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    fs::write(
        d.path().join("seccomp.json"),
        "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": []\n}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let p = one_service(
        json!({"image": "i", "security_opt": ["seccomp=seccomp.json", "label=disable"]}),
        json!({}),
    );
    let mut s = spec_of(&p, &[]);
    s.working_dir = d.path();
    let (_, b) = body(&s);
    assert_eq!(
        b["HostConfig"]["SecurityOpt"],
        json!([
            r#"seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}"#,
            "label=disable"
        ])
    );
    let p = one_service(
        json!({"image": "i", "security_opt": ["seccomp=missing.json"]}),
        json!({}),
    );
    let mut s = spec_of(&p, &[]);
    s.working_dir = d.path();
    assert!(error(&s).starts_with("service \"s\": opening seccomp profile (missing.json) failed: "));
}

#[test]
fn volumes_over_host_directories_and_mount_options() {
    let p = one_service(
        json!({"image": "i", "volumes": [
            {"type": "volume", "source": "hostdir", "target": "/x", "volume": {}},
            {"type": "volume", "target": "/anon"},
            {"type": "volume", "source": "cache", "target": "/c", "read_only": true,
             "volume": {"nocopy": true, "subpath": "sub"}},
            {"type": "bind", "source": "/h", "target": "/b", "read_only": true,
             "bind": {"create_host_path": true, "selinux": "z", "propagation": "rshared"}},
            {"type": "tmpfs", "target": "/t", "tmpfs": {"mode": 1777}},
            {"type": "bind", "source": "rel", "target": "/r/../r2/"},
        ]}),
        json!({"volumes": {
            "hostdir": {"name": "p_hostdir", "driver_opts": {"type": "none", "o": "bind", "device": "/srv"}},
            "cache": {"name": "shared-cache", "external": true},
        }}),
    );
    let (_, b) = body(&spec_of(&p, &[]));
    let hc = &b["HostConfig"];
    // A local volume over a host directory is bound by name, as compose binds it.
    assert_eq!(
        hc["Binds"],
        json!(["p_hostdir:/x:rw", "/h:/b:ro,z,rshared"])
    );
    assert_eq!(
        hc["Mounts"],
        json!([
            {"Type": "volume", "Target": "/anon"},
            {"Type": "volume", "Source": "shared-cache", "Target": "/c", "ReadOnly": true,
             "VolumeOptions": {"NoCopy": true, "Subpath": "sub"}},
            {"Type": "tmpfs", "Target": "/t", "TmpfsOptions": {"Mode": 1777}},
            {"Type": "bind", "Source": "/w/rel", "Target": "/r2"},
        ])
    );
}

#[test]
fn secrets_and_configs_from_the_environment_or_inline_are_injected() {
    let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let l = loaded(
        d.path(),
        r#"
name: inj
services:
  app:
    image: busybox
    secrets:
      - source: api_key
        mode: 0400
        uid: "1000"
        gid: "1000"
      - source: plain
        target: /etc/plain.txt
    configs:
      - source: motd
      - source: banner
        target: etc/banner
      - source: blank
secrets:
  api_key: {environment: TOKEN_VALUE}
  plain: {file: ./plain.txt}
configs:
  motd: {content: "hello ${TOKEN_VALUE}"}
  banner: {environment: TOKEN_VALUE}
  blank: {content: ""}
"#,
    );
    let s = spec(&l, "app", 1);
    let env = |k: &str| l.environment.get(k);
    let got = file_injections(&s, &env).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        got,
        [
            FileInjection {
                target: "/run/secrets/api_key".into(),
                contents: b"s3cret".to_vec(),
                mode: 0o400,
                uid: Some(1000),
                gid: Some(1000),
            },
            FileInjection {
                target: "/motd".into(),
                contents: b"hello s3cret".to_vec(),
                mode: 0o444,
                uid: None,
                gid: None,
            },
            FileInjection {
                target: "/etc/banner".into(),
                contents: b"s3cret".to_vec(),
                mode: 0o444,
                uid: None,
                gid: None,
            },
        ]
    );
    // Only the file secret is mounted.
    let (_, b) = body(&s);
    let dir = l.dir.to_string_lossy();
    assert_eq!(
        b["HostConfig"]["Mounts"],
        json!([{"Type": "bind", "Source": format!("{dir}/plain.txt"),
                "Target": "/etc/plain.txt", "ReadOnly": true}])
    );
    let none = |_: &str| None;
    assert_eq!(
        file_injections(&s, &none).map_err(|e| e.to_string()),
        Err(
            "service \"app\": environment variable \"TOKEN_VALUE\" required by file \
             \"inj_api_key\" is not set"
                .to_string()
        )
    );
}

#[test]
fn errors_name_the_service_and_the_setting() {
    let bad = |svc: Value, extra: Value| {
        let p = one_service(svc, extra);
        error(&spec_of(&p, &[]))
    };
    assert_eq!(
        bad(json!({"image": "i", "restart": "sometimes"}), json!({})),
        "service \"s\": invalid restart policy \"sometimes\""
    );
    assert_eq!(
        bad(
            json!({"image": "i", "networks": {"front": null}}),
            json!({})
        ),
        "service \"s\": refers to undefined network front"
    );
    assert_eq!(
        bad(
            json!({"image": "i", "mac_address": "02:00:00:00:00:01",
                   "networks": {"default": {"mac_address": "02:00:00:00:00:02"}}}),
            json!({})
        ),
        "service \"s\": the service-level mac_address should have the same value as network default"
    );
    assert_eq!(
        bad(
            json!({"image": "i", "secrets": [{"source": "tok", "target": "/run/secrets/tok"}]}),
            json!({"secrets": {"tok": {"external": true, "name": "prod_tok"}}})
        ),
        "service \"s\": unsupported external secret prod_tok"
    );
    // The loader refuses it; a project typed by other means may still hold one.
    let mut p = one_service(json!({"image": "i"}), json!({}));
    if let Some(s) = p.services.get_mut("s") {
        s.entrypoint = Some(model::ShellCommand::Shell("echo 'unbalanced".into()));
    }
    assert_eq!(
        error(&spec_of(&p, &[])),
        "service \"s\": entrypoint: invalid command line string"
    );
    assert_eq!(
        bad(
            json!({"image": "i", "network_mode": "service:ghost"}),
            json!({})
        ),
        "service \"s\": depends on undefined service \"ghost\""
    );
    assert_eq!(
        bad(json!({"image": "i", "security_opt": ["bogus"]}), json!({})),
        "service \"s\": Invalid security-opt: \"bogus\""
    );
}
