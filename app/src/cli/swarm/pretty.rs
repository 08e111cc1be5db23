//! `service inspect --pretty` and `node inspect --pretty`: the text Docker's pretty
//! templates make, written out by hand (tabs, trailing spaces and blank lines where the
//! templates leave them, so the output is Docker's to the byte).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use bollard::models as m;

use super::pretty;
use crate::format::gofmt::format_float_g;
use crate::format::human::bytes_size;

/// Go's `time.Duration.String()`: `5s`, `1m30s`, `1.5s`, `500ms`, `4ns`, `0s`.
pub fn go_duration(ns: i64) -> String {
    if ns == 0 {
        return "0s".into();
    }
    let neg = ns < 0;
    let u = ns.unsigned_abs();
    let sign = if neg { "-" } else { "" };
    if u < 1_000_000_000 {
        let (unit, scale) = match u {
            0..=999 => ("ns", 1),
            1_000..=999_999 => ("µs", 1_000),
            _ => ("ms", 1_000_000),
        };
        return format!("{sign}{}{unit}", fraction(u, scale));
    }
    let (h, rest) = (u / 3_600_000_000_000, u % 3_600_000_000_000);
    let (min, rest) = (rest / 60_000_000_000, rest % 60_000_000_000);
    let secs = fraction(rest, 1_000_000_000);
    if h > 0 {
        format!("{sign}{h}h{min}m{secs}s")
    } else if min > 0 {
        format!("{sign}{min}m{secs}s")
    } else {
        format!("{sign}{secs}s")
    }
}

/// `value / scale` with the fraction's trailing zeros left out.
fn fraction(value: u64, scale: u64) -> String {
    let whole = value / scale;
    let frac = value % scale;
    if frac == 0 {
        return whole.to_string();
    }
    let digits = scale.to_string().len() - 1;
    let f = format!("{frac:0digits$}");
    format!("{whole}.{}", f.trim_end_matches('0'))
}

/// Go's `time.Time.String()` through `PrettyPrint` (which lower-cases all but the
/// first letter): `2026-01-01 12:00:00.5 +0000 utc`.
fn pretty_time(rfc3339: &str) -> String {
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(rfc3339) else {
        return pretty(rfc3339);
    };
    let nanos = t.timestamp_subsec_nanos();
    let frac = if nanos == 0 {
        String::new()
    } else {
        format!(".{}", format!("{nanos:09}").trim_end_matches('0'))
    };
    let offset = t.format("%z").to_string();
    let zone = if t.offset().local_minus_utc() == 0 {
        "UTC".to_string()
    } else {
        offset.clone()
    };
    pretty(&format!(
        "{}{frac} {offset} {zone}",
        t.format("%Y-%m-%d %H:%M:%S")
    ))
}

fn sorted(map: Option<&HashMap<String, String>>) -> BTreeMap<String, String> {
    map.map(|m| m.clone().into_iter().collect())
        .unwrap_or_default()
}

/// A Go `[]string` as `{{ . }}` prints it: `[a b]`.
fn go_list(v: &[String]) -> String {
    format!("[{}]", v.join(" "))
}

/// `node inspect --pretty` for one node (without the newline that ends it).
pub fn node_pretty(n: &m::Node) -> String {
    let spec = n.spec.clone().unwrap_or_default();
    let desc = n.description.clone().unwrap_or_default();
    let status = n.status.clone().unwrap_or_default();
    let mut o = String::new();
    let _ = write!(o, "ID:\t\t\t{}", n.id.clone().unwrap_or_default());
    if let Some(name) = spec.name.as_deref().filter(|s| !s.is_empty()) {
        let _ = write!(o, "\nName:\t\t\t{name}");
    }
    let labels = sorted(spec.labels.as_ref());
    if !labels.is_empty() {
        o.push_str("\nLabels:");
        for (k, v) in &labels {
            let _ = write!(
                o,
                "\n - {k}{}",
                if v.is_empty() {
                    String::new()
                } else {
                    format!("={v}")
                }
            );
        }
    }
    let _ = write!(
        o,
        "\nHostname:              \t{}",
        desc.hostname.clone().unwrap_or_default()
    );
    let _ = write!(
        o,
        "\nJoined at:             \t{}",
        pretty_time(n.created_at.as_deref().unwrap_or_default())
    );
    let _ = write!(
        o,
        "\nStatus:\n State:\t\t\t{}",
        pretty(&status.state.map(|s| s.to_string()).unwrap_or_default())
    );
    if let Some(msg) = status.message.as_deref().filter(|s| !s.is_empty()) {
        let _ = write!(o, "\n Message:              \t{}", pretty(msg));
    }
    let _ = write!(
        o,
        "\n Availability:         \t{}",
        pretty(&spec.availability.map(|a| a.to_string()).unwrap_or_default())
    );
    if let Some(addr) = status.addr.as_deref().filter(|s| !s.is_empty()) {
        let _ = write!(o, "\n Address:\t\t{addr}");
    }
    if let Some(ms) = &n.manager_status {
        let _ = write!(
            o,
            "\nManager Status:\n Address:\t\t{}\n Raft Status:\t\t{}\n Leader:\t\t{}",
            ms.addr.clone().unwrap_or_default(),
            pretty(&ms.reachability.map(|r| r.to_string()).unwrap_or_default()),
            if ms.leader == Some(true) { "Yes" } else { "No" }
        );
    }
    let platform = desc.platform.clone().unwrap_or_default();
    let _ = write!(
        o,
        "\nPlatform:\n Operating System:\t{}\n Architecture:\t\t{}",
        platform.os.unwrap_or_default(),
        platform.architecture.unwrap_or_default()
    );
    let res = desc.resources.clone().unwrap_or_default();
    let memory = res
        .memory_bytes
        .filter(|b| *b != 0)
        .map(|b| bytes_size(b.max(0) as u64))
        .unwrap_or_default();
    let _ = write!(
        o,
        "\nResources:\n CPUs:\t\t\t{}\n Memory:\t\t{memory}",
        res.nano_cpus.unwrap_or(0) / 1_000_000_000
    );
    let engine = desc.engine.clone().unwrap_or_default();
    let plugins = engine.plugins.clone().unwrap_or_default();
    if !plugins.is_empty() {
        let mut by_type: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for p in plugins {
            by_type
                .entry(p.typ.unwrap_or_default())
                .or_default()
                .push(p.name.unwrap_or_default());
        }
        o.push_str("\nPlugins:");
        for (k, v) in by_type {
            let _ = write!(o, "\n {k}:\t\t{}", v.join(", "));
        }
    }
    let _ = write!(
        o,
        "\nEngine Version:\t\t{}",
        engine.engine_version.unwrap_or_default()
    );
    let engine_labels = sorted(engine.labels.as_ref());
    if !engine_labels.is_empty() {
        o.push_str("\nEngine Labels:");
        for (k, v) in &engine_labels {
            let _ = write!(
                o,
                "\n - {k}{}",
                if v.is_empty() {
                    String::new()
                } else {
                    format!("={v}")
                }
            );
        }
    }
    o
}

/// `service inspect --pretty` for one service. `networks` names network IDs;
/// `ports` are the service's published ports (its endpoint's).
pub fn service_pretty(
    s: &m::Service,
    networks: &HashMap<String, String>,
    ports: &[m::EndpointPortConfig],
) -> String {
    let spec = s.spec.clone().unwrap_or_default();
    let task = spec.task_template.clone().unwrap_or_default();
    let c = task.container_spec.clone().unwrap_or_default();
    let mut o = String::from("\n");
    let _ = write!(
        o,
        "ID:\t\t{}\nName:\t\t{}",
        s.id.clone().unwrap_or_default(),
        spec.name.clone().unwrap_or_default()
    );
    let labels = sorted(spec.labels.as_ref());
    if !labels.is_empty() {
        o.push_str("\nLabels:");
        for (k, v) in &labels {
            let _ = write!(
                o,
                "\n {k}{}",
                if v.is_empty() {
                    String::new()
                } else {
                    format!("={v}")
                }
            );
        }
    }
    o.push_str("\nService Mode:");
    match &spec.mode {
        Some(m::ServiceSpecMode {
            global: Some(_), ..
        }) => o.push_str("\tGlobal"),
        Some(m::ServiceSpecMode {
            replicated: Some(r),
            ..
        }) => {
            o.push_str("\tReplicated");
            if let Some(n) = r.replicas {
                let _ = write!(o, "\n Replicas:\t{n}");
            }
        }
        _ => {}
    }
    if let Some(us) = s.update_status.as_ref().filter(|u| u.state.is_some()) {
        let _ = write!(
            o,
            "\nUpdateStatus:\n State:\t\t{}",
            us.state.map(|x| x.to_string()).unwrap_or_default()
        );
        let ago = |t: &str| {
            chrono::DateTime::parse_from_rfc3339(t)
                .map(|t| {
                    crate::format::human::time_ago(
                        chrono::Utc::now() - t.with_timezone(&chrono::Utc),
                    )
                })
                .unwrap_or_default()
        };
        if let Some(t) = &us.started_at {
            let _ = write!(o, "\n Started:\t{}", ago(t));
        }
        if let (Some(m::ServiceUpdateStatusStateEnum::COMPLETED), Some(t)) =
            (us.state, &us.completed_at)
        {
            let _ = write!(o, "\n Completed:\t{}", ago(t));
        }
        let _ = write!(o, "\n Message:\t{}", us.message.clone().unwrap_or_default());
    }
    o.push_str("\nPlacement:");
    let placement = task.placement.clone().unwrap_or_default();
    let constraints = placement.constraints.clone().unwrap_or_default();
    if !constraints.is_empty() {
        let _ = write!(o, "\n Constraints:\t{}", go_list(&constraints));
    }
    let prefs: Vec<String> = placement
        .preferences
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| p.spread?.spread_descriptor)
        .map(|d| format!("spread={d}"))
        .collect();
    if !prefs.is_empty() {
        let _ = write!(o, "\n Preferences:   {}", go_list(&prefs));
    }
    if let Some(n) = placement.max_replicas.filter(|n| *n > 0) {
        let _ = write!(o, "\n Max Replicas Per Node:   {n}");
    }
    if let Some(u) = &spec.update_config {
        update_block(
            &mut o,
            "UpdateConfig",
            "Update order:      ",
            (u.parallelism, u.delay, u.monitor, u.max_failure_ratio),
            u.failure_action.map(|x| x.to_string()),
            u.order.map(|x| x.to_string()),
        );
    }
    if let Some(u) = &spec.rollback_config {
        update_block(
            &mut o,
            "RollbackConfig",
            "Rollback order:    ",
            (u.parallelism, u.delay, u.monitor, u.max_failure_ratio),
            u.failure_action.map(|x| x.to_string()),
            u.order.map(|x| x.to_string()),
        );
    }
    let _ = write!(
        o,
        "\nContainerSpec:\n Image:\t\t{}",
        c.image.clone().unwrap_or_default()
    );
    let words = |v: &[String]| v.iter().map(|a| format!("{a} ")).collect::<String>();
    if let Some(args) = c.args.as_ref().filter(|a| !a.is_empty()) {
        let _ = write!(o, "\n Args:\t\t{}", words(args));
    }
    if let Some(env) = c.env.as_ref().filter(|a| !a.is_empty()) {
        let _ = write!(o, "\n Env:\t\t{}", words(env));
    }
    if let Some(dir) = c.dir.as_deref().filter(|d| !d.is_empty()) {
        let _ = write!(o, "\n Dir:\t\t{dir}");
    }
    if let Some(init) = c.init {
        let _ = write!(o, "\n Init:\t\t{init}");
    }
    if let Some(user) = c.user.as_deref().filter(|d| !d.is_empty()) {
        let _ = write!(o, "\n User: {user}");
    }
    let (add, drop) = (
        c.capability_add.clone().unwrap_or_default(),
        c.capability_drop.clone().unwrap_or_default(),
    );
    if !add.is_empty() || !drop.is_empty() {
        o.push_str("\nCapabilities:");
        if !add.is_empty() {
            let _ = write!(o, "\n Add: {}", add.join(", "));
        }
        if !drop.is_empty() {
            let _ = write!(o, "\n Drop: {}", drop.join(", "));
        }
    }
    let sysctls = sorted(c.sysctls.as_ref());
    if !sysctls.is_empty() {
        o.push_str("\nSysCtls:");
        for (k, v) in &sysctls {
            let _ = write!(
                o,
                "\n {k}{}",
                if v.is_empty() {
                    String::new()
                } else {
                    format!(": {v}")
                }
            );
        }
    }
    let ulimits: BTreeMap<String, String> = c
        .ulimits
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|u| {
            (
                u.name.unwrap_or_default(),
                format!("{}:{}", u.soft.unwrap_or(0), u.hard.unwrap_or(0)),
            )
        })
        .collect();
    if !ulimits.is_empty() {
        o.push_str("\nUlimits:");
        for (k, v) in &ulimits {
            let _ = write!(o, "\n {k}: {v}");
        }
    }
    let mounts = c.mounts.clone().unwrap_or_default();
    if !mounts.is_empty() {
        o.push_str("\nMounts:");
    }
    for mt in &mounts {
        let _ = write!(
            o,
            "\n Target:\t{}\n  Source:\t{}\n  ReadOnly:\t{}\n  Type:\t\t{}",
            mt.target.clone().unwrap_or_default(),
            mt.source.clone().unwrap_or_default(),
            mt.read_only.unwrap_or(false),
            mt.typ.map(|t| t.to_string()).unwrap_or_default()
        );
    }
    let configs = c.configs.clone().unwrap_or_default();
    if !configs.is_empty() {
        o.push_str("\nConfigs:");
        for r in &configs {
            let _ = write!(
                o,
                "\n Target:\t{}\n  Source:\t{}",
                r.file
                    .as_ref()
                    .and_then(|f| f.name.clone())
                    .unwrap_or_default(),
                r.config_name.clone().unwrap_or_default()
            );
        }
    }
    let secrets = c.secrets.clone().unwrap_or_default();
    if !secrets.is_empty() {
        o.push_str("\nSecrets:");
        for r in &secrets {
            let _ = write!(
                o,
                "\n Target:\t{}\n  Source:\t{}",
                r.file
                    .as_ref()
                    .and_then(|f| f.name.clone())
                    .unwrap_or_default(),
                r.secret_name.clone().unwrap_or_default()
            );
        }
    }
    if let Some(ld) = &task.log_driver {
        o.push_str("\nLog Driver:");
        if let Some(name) = ld.name.as_deref().filter(|n| !n.is_empty()) {
            let _ = write!(o, "\n Name:\t\t{name}");
        }
        let opts = sorted(ld.options.as_ref());
        if !opts.is_empty() {
            o.push_str("\n LogOpts:");
            for (k, v) in &opts {
                let _ = write!(
                    o,
                    "\n  {k}{}",
                    if v.is_empty() {
                        String::new()
                    } else {
                        format!(":       {v}")
                    }
                );
            }
        }
        o.push('\n');
    }
    resources_block(&mut o, task.resources.as_ref());
    let nets: Vec<String> = task
        .networks
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|n| {
            let t = n.target.unwrap_or_default();
            networks.get(&t).cloned().unwrap_or(t)
        })
        .collect();
    if !nets.is_empty() {
        o.push_str("\nNetworks:");
        for n in &nets {
            let _ = write!(o, " {n}");
        }
        o.push(' ');
    }
    let _ = write!(
        o,
        "\nEndpoint Mode:\t{}",
        spec.endpoint_spec
            .as_ref()
            .and_then(|e| e.mode)
            .map(|x| x.to_string())
            .unwrap_or_default()
    );
    if !ports.is_empty() {
        o.push_str("\nPorts:");
        for p in ports {
            let _ = write!(
                o,
                "\n PublishedPort = {}\n  Protocol = {}\n  TargetPort = {}\n  PublishMode = {}",
                p.published_port.unwrap_or(0),
                p.protocol.map(|x| x.to_string()).unwrap_or_default(),
                p.target_port.unwrap_or(0),
                p.publish_mode.map(|x| x.to_string()).unwrap_or_default()
            );
        }
        o.push(' ');
    }
    if let Some(h) = &c.health_check {
        let _ = write!(
            o,
            "\n Healthcheck:\n  Interval = {}\n  Retries = {}\n  StartPeriod =\t{}\n  Timeout =\t{}",
            go_duration(h.interval.unwrap_or(0)),
            h.retries.unwrap_or(0),
            go_duration(h.start_period.unwrap_or(0)),
            go_duration(h.timeout.unwrap_or(0))
        );
        if let Some(tests) = h.test.as_ref().filter(|t| !t.is_empty()) {
            o.push_str("\n  Tests:");
            for t in tests {
                let _ = write!(o, "\n\t Test = {t}");
            }
            o.push(' ');
        }
    }
    o.push('\n');
    o
}

fn update_block(
    o: &mut String,
    title: &str,
    order_label: &str,
    (parallelism, delay, monitor, ratio): (Option<i64>, Option<i64>, Option<i64>, Option<f64>),
    failure_action: Option<String>,
    order: Option<String>,
) {
    let _ = write!(o, "\n{title}:\n Parallelism:\t{}", parallelism.unwrap_or(0));
    if let Some(d) = delay.filter(|d| *d > 0) {
        let _ = write!(o, "\n Delay:\t\t{}", go_duration(d));
    }
    let _ = write!(o, "\n On failure:\t{}", failure_action.unwrap_or_default());
    if let Some(mo) = monitor.filter(|d| *d > 0) {
        let _ = write!(o, "\n Monitoring Period: {}", go_duration(mo));
    }
    let _ = write!(
        o,
        "\n Max failure ratio: {}\n {order_label}{}",
        format_float_g(ratio.unwrap_or(0.0), None),
        order.unwrap_or_default()
    );
}

fn resources_block(o: &mut String, res: Option<&m::TaskSpecResources>) {
    let Some(res) = res else { return };
    o.push_str("\nResources:");
    let cpus = |n: i64| format_float_g(n as f64 / 1e9, None);
    let mem = |b: i64| bytes_size(b.max(0) as u64);
    if let Some(r) = res.reservations.as_ref() {
        let (cpu, memory) = (r.nano_cpus.unwrap_or(0), r.memory_bytes.unwrap_or(0));
        if cpu > 0 || memory > 0 {
            o.push_str("\n Reservations:");
            if cpu > 0 {
                let _ = write!(o, "\n  CPU:\t\t{}", cpus(cpu));
            }
            if memory != 0 {
                let _ = write!(o, "\n  Memory:\t{}", mem(memory));
            }
        }
    }
    let limits = res.limits.clone().unwrap_or_default();
    let (cpu, memory, pids) = (
        limits.nano_cpus.unwrap_or(0),
        limits.memory_bytes.unwrap_or(0),
        limits.pids.unwrap_or(0),
    );
    if cpu > 0 || memory > 0 || pids > 0 {
        o.push_str("\n Limits:");
        if cpu > 0 {
            let _ = write!(o, "\n  CPU:\t\t{}", cpus(cpu));
        }
        if memory != 0 {
            let _ = write!(o, "\n  Memory:\t{}", mem(memory));
        }
    }
    if pids > 0 {
        let _ = write!(o, "\n  PIDs:\t\t{pids}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_as_go_prints_them() {
        assert_eq!(go_duration(4), "4ns");
        assert_eq!(go_duration(1_500), "1.5µs");
        assert_eq!(go_duration(500_000_000), "500ms");
        assert_eq!(go_duration(5_000_000_000), "5s");
        assert_eq!(go_duration(1_500_000_000), "1.5s");
        assert_eq!(go_duration(90_000_000_000), "1m30s");
        assert_eq!(go_duration(60_000_000_000), "1m0s");
        assert_eq!(go_duration(3_600_000_000_000), "1h0m0s");
        assert_eq!(go_duration(0), "0s");
    }

    /// docker/cli's `service-inspect-pretty.golden`, made from the same service.
    #[test]
    fn service_pretty_matches_dockers_golden() {
        let s = m::Service {
            id: Some("de179gar9d0o7ltdybungplod".into()),
            spec: Some(m::ServiceSpec {
                name: Some("my_service".into()),
                labels: Some([("com.label".to_string(), "foo".to_string())].into()),
                task_template: Some(m::TaskSpec {
                    log_driver: Some(m::TaskSpecLogDriver {
                        name: Some("driver".into()),
                        options: Some([("max-file".to_string(), "5".to_string())].into()),
                    }),
                    container_spec: Some(m::TaskSpecContainerSpec {
                        image: Some("foo/bar@sha256:this_is_a_test".into()),
                        configs: Some(vec![m::TaskSpecContainerSpecConfigs {
                            config_id: Some("mtc3i44r1awdoziy2iceg73z8".into()),
                            config_name: Some("configtest.conf".into()),
                            file: Some(m::TaskSpecContainerSpecFile1 {
                                name: Some("/configtest.conf".into()),
                                ..Default::default()
                            }),
                            ..Default::default()
                        }]),
                        secrets: Some(vec![m::TaskSpecContainerSpecSecrets {
                            secret_id: Some("3hv39ehbbb4hdozo7spod9ftn".into()),
                            secret_name: Some("secrettest.conf".into()),
                            file: Some(m::TaskSpecContainerSpecFile {
                                name: Some("/secrettest.conf".into()),
                                ..Default::default()
                            }),
                        }]),
                        health_check: Some(m::HealthConfig {
                            test: Some(vec!["CMD-SHELL".into(), "curl".into()]),
                            interval: Some(4),
                            retries: Some(3),
                            start_period: Some(2),
                            timeout: Some(1),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }),
                    resources: Some(m::TaskSpecResources {
                        limits: Some(m::Limit {
                            nano_cpus: Some(100_000_000_000),
                            memory_bytes: Some(10_490_000),
                            pids: Some(20),
                        }),
                        ..Default::default()
                    }),
                    networks: Some(vec![m::NetworkAttachmentConfig {
                        target: Some("5vpyomhb6ievnk0i0o60gcnei".into()),
                        aliases: Some(vec!["web".into()]),
                        ..Default::default()
                    }]),
                    ..Default::default()
                }),
                mode: Some(m::ServiceSpecMode {
                    replicated: Some(m::ServiceSpecModeReplicated { replicas: Some(2) }),
                    ..Default::default()
                }),
                endpoint_spec: Some(m::EndpointSpec {
                    mode: Some(m::EndpointSpecModeEnum::VIP),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        let networks = HashMap::from([(
            "5vpyomhb6ievnk0i0o60gcnei".to_string(),
            "mynetwork".to_string(),
        )]);
        let ports = [m::EndpointPortConfig {
            protocol: Some(m::EndpointPortConfigProtocolEnum::TCP),
            target_port: Some(5000),
            published_port: Some(30000),
            ..Default::default()
        }];
        let want = "\nID:\t\tde179gar9d0o7ltdybungplod\nName:\t\tmy_service\nLabels:\n com.label=foo\n\
Service Mode:\tReplicated\n Replicas:\t2\nPlacement:\nContainerSpec:\n Image:\t\tfoo/bar@sha256:this_is_a_test\n\
Configs:\n Target:\t/configtest.conf\n  Source:\tconfigtest.conf\nSecrets:\n Target:\t/secrettest.conf\n  Source:\tsecrettest.conf\n\
Log Driver:\n Name:\t\tdriver\n LogOpts:\n  max-file:       5\n\nResources:\n Limits:\n  CPU:\t\t100\n  Memory:\t10MiB\n  PIDs:\t\t20\n\
Networks: mynetwork \nEndpoint Mode:\tvip\nPorts:\n PublishedPort = 30000\n  Protocol = tcp\n  TargetPort = 5000\n  PublishMode =  \n\x20Healthcheck:\n  Interval = 4ns\n  Retries = 3\n  StartPeriod =\t2ns\n  Timeout =\t1ns\n  Tests:\n\t Test = CMD-SHELL\n\t Test = curl \n";
        assert_eq!(service_pretty(&s, &networks, &ports), want);
    }

    /// docker/cli's `node-inspect-pretty.manager-leader.golden`, from the same node.
    #[test]
    fn node_pretty_matches_dockers_golden() {
        let n = m::Node {
            id: Some("nodeID".into()),
            created_at: Some("2009-11-10T23:00:00Z".into()),
            spec: Some(m::NodeSpec {
                name: Some("defaultNodeName".into()),
                role: Some(m::NodeSpecRoleEnum::MANAGER),
                availability: Some(m::NodeSpecAvailabilityEnum::ACTIVE),
                ..Default::default()
            }),
            description: Some(m::NodeDescription {
                hostname: Some("defaultNodeHostname".into()),
                platform: Some(m::Platform {
                    architecture: Some("x86_64".into()),
                    os: Some("linux".into()),
                }),
                resources: Some(m::ResourceObject {
                    nano_cpus: Some(4),
                    memory_bytes: Some(20 * 1024 * 1024),
                    ..Default::default()
                }),
                engine: Some(m::EngineDescription {
                    engine_version: Some("1.13.0".into()),
                    labels: Some([("engine".to_string(), "label".to_string())].into()),
                    plugins: Some(vec![
                        m::EngineDescriptionPlugins {
                            typ: Some("Volume".into()),
                            name: Some("local".into()),
                        },
                        m::EngineDescriptionPlugins {
                            typ: Some("Network".into()),
                            name: Some("bridge".into()),
                        },
                        m::EngineDescriptionPlugins {
                            typ: Some("Network".into()),
                            name: Some("overlay".into()),
                        },
                    ]),
                }),
                ..Default::default()
            }),
            status: Some(m::NodeStatus {
                state: Some(m::NodeState::READY),
                addr: Some("127.0.0.1".into()),
                ..Default::default()
            }),
            manager_status: Some(m::ManagerStatus {
                leader: Some(true),
                reachability: Some(m::Reachability::REACHABLE),
                addr: Some("127.0.0.1".into()),
            }),
            ..Default::default()
        };
        let want = "ID:\t\t\tnodeID\nName:\t\t\tdefaultNodeName\nHostname:              \tdefaultNodeHostname\n\
Joined at:             \t2009-11-10 23:00:00 +0000 utc\nStatus:\n State:\t\t\tReady\n Availability:         \tActive\n\x20Address:\t\t127.0.0.1\nManager Status:\n Address:\t\t127.0.0.1\n Raft Status:\t\tReachable\n Leader:\t\tYes\n\
Platform:\n Operating System:\tlinux\n Architecture:\t\tx86_64\nResources:\n CPUs:\t\t\t0\n Memory:\t\t20MiB\n\
Plugins:\n Network:\t\tbridge, overlay\n Volume:\t\tlocal\nEngine Version:\t\t1.13.0\nEngine Labels:\n - engine=label";
        assert_eq!(node_pretty(&n), want);
    }
}
