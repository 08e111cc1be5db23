//! `service inspect --pretty`: Docker's `serviceInspectPrettyTemplate`, section by
//! section, each written only when the template writes it.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use bollard::models as m;

use super::pretty::{go_duration, go_list, sorted};
use crate::format::gofmt::format_float_g;
use crate::format::human::bytes_size;

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
