//! System commands: info, version, system df, system prune (in `system_prune`).

use berth_engine::Engine;

use super::door::Door;
use clap::Subcommand;

use super::CliResult;
use crate::format::human::human_size;

#[derive(Subcommand, Debug)]
pub enum SystemTopCmd {
    /// Display system-wide information
    Info {
        #[arg(short = 'f', long)]
        format: Option<String>,
    },
    /// Show the berth version information
    Version,
}

#[derive(Subcommand, Debug)]
pub enum SystemCmd {
    /// Show disk usage
    Df,
    /// Get real time events from berth
    Events(super::events::EventsArgs),
    /// Display system-wide information
    Info {
        #[arg(short = 'f', long)]
        format: Option<String>,
    },
    /// Serve the Docker Engine API (docker, docker-compose, docker-py drive Berth through it)
    Service(ServiceArgs),
    /// Make `berth-compose` (a link to this binary that runs `berth compose`) in DIR
    LinkCompose {
        /// Where to put the link
        #[arg(default_value = "/usr/local/bin")]
        dir: std::path::PathBuf,
    },
    /// Remove unused data: stopped containers, dangling images (all unused with -a), and with --volumes unused anonymous volumes
    Prune {
        #[arg(short = 'a', long)]
        all: bool,
        #[arg(long)]
        volumes: bool,
        #[arg(short = 'f', long)]
        force: bool,
    },
}

#[derive(clap::Args, Debug)]
pub struct ServiceArgs {
    /// Seconds without a connection before the service exits (0: serve until stopped)
    #[arg(short = 't', long = "time", default_value_t = 5)]
    time: u64,
    /// Group allowed to use the unix socket
    #[arg(long)]
    group: Option<String>,
    /// unix:///PATH or tcp://127.0.0.1:PORT (default: unix://RUN_ROOT/berth.sock)
    uri: Option<String>,
}

/// `system service`: a multi-threaded server, so the engine's blocking calls go to
/// tokio's pool and monitors are re-executed, never forked.
pub fn service(engine: &Engine, a: ServiceArgs) -> CliResult {
    use crate::api::{Address, ServeOptions};
    use crate::backend::local::{LocalBackend, Threads};
    let address = match &a.uri {
        Some(u) => Address::parse(u).map_err(|e| super::Failure {
            code: 125,
            message: format!("berth: {e}"),
        })?,
        None => Address::default_for(&engine.paths.run),
    };
    let engine = Engine {
        monitor_launch: berth_engine::container::start::MonitorLaunch::Exec,
        ..engine.clone()
    };
    let backend = std::sync::Arc::new(LocalBackend::new(engine, Threads::Pool));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("berth: start the service runtime: {e}"))?;
    let opts = ServeOptions {
        address,
        group: a.group,
        idle: (a.time > 0).then(|| std::time::Duration::from_secs(a.time)),
    };
    rt.block_on(crate::api::serve(backend, opts))
        .map_err(|e| super::Failure::from(format!("berth: {e}")))?;
    Ok(0)
}

pub fn run_top(door: &Door, cmd: SystemTopCmd) -> CliResult {
    match cmd {
        SystemTopCmd::Info { format } => run(door, SystemCmd::Info { format }),
        SystemTopCmd::Version => {
            let server = door.call(door.backend().version())?;
            println!(
                "Client:\n Version:           {}\n OS/Arch:           linux/amd64\n Context:           {}\n",
                env!("CARGO_PKG_VERSION"),
                door.context
            );
            // The engine behind the door names itself: Berth's own, or a Docker engine's
            // platform (`-H`, DOCKER_HOST).
            let name = match server.platform.map(|p| p.name) {
                Some(n) if n == "Berth Engine" => "berth engine (daemonless)".to_string(),
                Some(n) if !n.is_empty() => n,
                _ => "Docker Engine".to_string(),
            };
            println!(
                "Server: {name}\n Engine:\n  Version:          {}\n  Kernel:           {}",
                server.version.unwrap_or_default(),
                server.kernel_version.unwrap_or_default()
            );
            Ok(0)
        }
    }
}

pub fn run(door: &Door, cmd: SystemCmd) -> CliResult {
    match cmd {
        SystemCmd::Events(a) => super::events::run(door, a),
        // It serves the engine itself, so main starts it before any door.
        SystemCmd::Service(_) => unreachable!("handled in main"),
        SystemCmd::LinkCompose { dir } => link_compose(&dir),
        SystemCmd::Info { format } => {
            let info = door.call(door.backend().info())?;
            if let Some(f) = format {
                let v = serde_json::to_value(&info).map_err(|e| e.to_string())?;
                println!("{}", super::output::render_one(&v, &f)?);
                return Ok(0);
            }
            let n = |v: Option<i64>| v.unwrap_or(0);
            println!(
                "Client:\n Context:    {}\n Version:    {}\n",
                door.context,
                env!("CARGO_PKG_VERSION")
            );
            println!("Server:");
            println!(" Containers: {}", n(info.containers));
            println!(
                "  Running: {}\n  Paused: {}\n  Stopped: {}",
                n(info.containers_running),
                n(info.containers_paused),
                n(info.containers_stopped)
            );
            println!(" Images: {}", n(info.images));
            println!(
                " Server Version: {}",
                info.server_version.unwrap_or_default()
            );
            println!(" Storage Driver: {}", info.driver.unwrap_or_default());
            println!(
                " Logging Driver: {}",
                info.logging_driver.unwrap_or_default()
            );
            println!(" Cgroup Driver: cgroupfs");
            println!(
                " Cgroup Version: {}",
                info.cgroup_version
                    .map(|v| v.to_string())
                    .unwrap_or_default()
            );
            print!("{}", swarm_section(info.swarm.as_ref()));
            println!(
                " Kernel Version: {}",
                info.kernel_version.unwrap_or_default()
            );
            println!(" CPUs: {}", n(info.ncpu));
            println!(
                " Berth Root Dir: {}",
                info.docker_root_dir.unwrap_or_default()
            );
            Ok(0)
        }
        SystemCmd::Df => {
            let usage = door.call(door.backend().df())?;
            // Docker shows the reclaimable share as a percentage of the total.
            let reclaim = |free: i64, total: i64| match (free * 100).checked_div(total) {
                Some(pct) => format!("{} ({pct}%)", human_size(free.max(0) as u64)),
                None => human_size(free.max(0) as u64),
            };
            let row = |kind: &str,
                       total: Option<i64>,
                       active: Option<i64>,
                       size: Option<i64>,
                       free: Option<i64>| {
                let (size, free) = (size.unwrap_or(0), free.unwrap_or(0));
                vec![
                    kind.to_string(),
                    total.unwrap_or(0).to_string(),
                    active.unwrap_or(0).to_string(),
                    human_size(size.max(0) as u64),
                    reclaim(free, size),
                ]
            };
            let i = usage.image_usage.unwrap_or_default();
            let c = usage.container_usage.unwrap_or_default();
            let v = usage.volume_usage.unwrap_or_default();
            let rows = vec![
                row(
                    "Images",
                    i.total_count,
                    i.active_count,
                    i.total_size,
                    i.reclaimable,
                ),
                row(
                    "Containers",
                    c.total_count,
                    c.active_count,
                    c.total_size,
                    c.reclaimable,
                ),
                row(
                    "Local Volumes",
                    v.total_count,
                    v.active_count,
                    v.total_size,
                    v.reclaimable,
                ),
            ];
            print!(
                "{}",
                crate::format::table::render_table(
                    &["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"],
                    &rows
                )
            );
            Ok(0)
        }
        SystemCmd::Prune {
            all,
            volumes,
            force: _,
        } => super::system_prune::run(door, all, volumes),
    }
}

/// `info`'s swarm lines as Docker prints them (its raft, dispatcher and CA settings
/// left out: Berth's one-host swarm has none of them).
fn swarm_section(swarm: Option<&bollard::models::SwarmInfo>) -> String {
    let state = swarm
        .and_then(|s| s.local_node_state)
        .map(|s| s.to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "inactive".into());
    let mut out = format!(" Swarm: {state}\n");
    let Some(s) = swarm.filter(|_| state != "inactive" && state != "locked") else {
        return out;
    };
    let mut line = |l: String| {
        out.push_str(&l);
        out.push('\n');
    };
    line(format!(
        "  NodeID: {}",
        s.node_id.clone().unwrap_or_default()
    ));
    if let Some(e) = s.error.as_deref().filter(|e| !e.is_empty()) {
        line(format!("  Error: {e}"));
    }
    let manager = s.control_available.unwrap_or(false);
    line(format!("  Is Manager: {manager}"));
    if let Some(c) = s.cluster.as_ref().filter(|_| manager) {
        line(format!("  ClusterID: {}", c.id.clone().unwrap_or_default()));
        line(format!("  Managers: {}", s.managers.unwrap_or(0)));
        line(format!("  Nodes: {}", s.nodes.unwrap_or(0)));
        if let Some(pools) = &c.default_addr_pool {
            let pools: String = pools.iter().map(|p| format!("{p}  ")).collect();
            line(format!("  Default Address Pool: {pools}"));
            line(format!("  SubnetSize: {}", c.subnet_size.unwrap_or(0)));
        }
        if let Some(port) = c.data_path_port.filter(|p| *p > 0) {
            line(format!("  Data Path Port: {port}"));
        }
        let limit = c
            .spec
            .as_ref()
            .and_then(|sp| sp.orchestration.as_ref())
            .and_then(|o| o.task_history_retention_limit)
            .unwrap_or(0);
        line("  Orchestration:".into());
        line(format!("   Task History Retention Limit: {limit}"));
    }
    line(format!(
        "  Node Address: {}",
        s.node_addr.clone().unwrap_or_default()
    ));
    let mut managers: Vec<String> = s
        .remote_managers
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|m| m.addr)
        .collect();
    if !managers.is_empty() {
        managers.sort();
        line("  Manager Addresses:".into());
        for m in managers {
            line(format!("   {m}"));
        }
    }
    out
}

/// `system link-compose DIR`: `DIR/berth-compose`, a link to this binary, so that
/// tutorials typing `docker-compose` (or `docker compose`) run with `berth-compose`.
fn link_compose(dir: &std::path::Path) -> CliResult {
    let me = std::env::current_exe().map_err(|e| format!("cannot find this binary: {e}"))?;
    let link = dir.join("berth-compose");
    match std::fs::read_link(&link) {
        Ok(target) if target == me => {
            println!("{} already links to {}", link.display(), me.display());
            return Ok(0);
        }
        Ok(_) => std::fs::remove_file(&link)
            .map_err(|e| format!("cannot replace {}: {e}", link.display()))?,
        Err(_) if link.exists() => {
            return Err(format!(
                "{} exists and is not a link: not replacing it",
                link.display()
            )
            .into())
        }
        Err(_) => {}
    }
    std::os::unix::fs::symlink(&me, &link)
        .map_err(|e| format!("cannot make {}: {e}", link.display()))?;
    println!("{} -> {}", link.display(), me.display());
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::swarm_section;
    use bollard::models as m;

    #[test]
    fn info_shows_the_swarm_as_docker_does() {
        assert_eq!(swarm_section(None), " Swarm: inactive\n");
        let s = m::SwarmInfo {
            node_id: Some("9rl10j8covggiwt5lfherdhh4".into()),
            node_addr: Some("10.0.0.5".into()),
            local_node_state: Some(m::LocalNodeState::ACTIVE),
            control_available: Some(true),
            error: Some(String::new()),
            remote_managers: Some(vec![m::PeerNode {
                node_id: Some("9rl10j8covggiwt5lfherdhh4".into()),
                addr: Some("10.0.0.5:2377".into()),
            }]),
            nodes: Some(1),
            managers: Some(1),
            cluster: Some(m::ClusterInfo {
                id: Some("c1".into()),
                default_addr_pool: Some(vec!["10.0.0.0/8".into()]),
                subnet_size: Some(24),
                data_path_port: Some(4789),
                spec: Some(m::SwarmSpec {
                    orchestration: Some(m::SwarmSpecOrchestration {
                        task_history_retention_limit: Some(5),
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            }),
        };
        assert_eq!(
            swarm_section(Some(&s)),
            " Swarm: active\n  NodeID: 9rl10j8covggiwt5lfherdhh4\n  Is Manager: true\n  \
             ClusterID: c1\n  Managers: 1\n  Nodes: 1\n  Default Address Pool: 10.0.0.0/8  \n  \
             SubnetSize: 24\n  Data Path Port: 4789\n  Orchestration:\n   Task History \
             Retention Limit: 5\n  Node Address: 10.0.0.5\n  Manager Addresses:\n   10.0.0.5:2377\n"
        );
    }
}
