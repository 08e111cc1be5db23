//! System commands: info, version, system df, system prune.

use berth_engine::container::Status;
use berth_engine::Engine;
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
fn service(engine: &Engine, a: ServiceArgs) -> CliResult {
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

pub fn run_top(engine: &Engine, cmd: SystemTopCmd) -> CliResult {
    match cmd {
        SystemTopCmd::Info { format } => run(engine, SystemCmd::Info { format }),
        SystemTopCmd::Version => {
            let k = nix::sys::utsname::uname().ok();
            println!(
                "Client:\n Version:           {}\n OS/Arch:           linux/amd64\n",
                env!("CARGO_PKG_VERSION")
            );
            println!(
                "Server: berth engine (daemonless)\n Engine:\n  Version:          {}\n  Kernel:           {}",
                env!("CARGO_PKG_VERSION"),
                k.map(|u| u.release().to_string_lossy().into_owned()).unwrap_or_default()
            );
            Ok(0)
        }
    }
}

pub fn run(engine: &Engine, cmd: SystemCmd) -> CliResult {
    match cmd {
        SystemCmd::Events(a) => super::events::run(engine, a),
        SystemCmd::Service(a) => service(engine, a),
        SystemCmd::Info { format } => {
            let cs = engine.containers().list()?;
            let count = |s: Status| cs.iter().filter(|c| c.state.status == s).count();
            let hier =
                berth_engine::cgroups::detect(&berth_engine::container::monitor::cgroups_root())
                    .map(|h| format!("{h:?}"))
                    .unwrap_or_else(|e| format!("unknown ({e})"));
            let info = serde_json::json!({
                "Containers": cs.len(),
                "ContainersRunning": count(Status::Running),
                "ContainersPaused": count(Status::Paused),
                "ContainersStopped": cs.len() - count(Status::Running) - count(Status::Paused),
                "Images": engine.images().list().map(|l| l.len()).unwrap_or(0),
                "Driver": "overlay",
                "CgroupDriver": "cgroupfs",
                "CgroupVersion": if hier == "Unified" { "2" } else { "1" },
                "CgroupHierarchy": hier,
                "KernelVersion": nix::sys::utsname::uname().map(|u| u.release().to_string_lossy().into_owned()).unwrap_or_default(),
                "OperatingSystem": "linux",
                "NCPU": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
                "DockerRootDir": engine.paths.root,
                "ServerVersion": env!("CARGO_PKG_VERSION"),
                "Name": nix::unistd::gethostname().map(|h| h.to_string_lossy().into_owned()).unwrap_or_default(),
            });
            if let Some(f) = format {
                println!("{}", super::output::render_one(&info, &f)?);
                return Ok(0);
            }
            println!("Client:\n Version:    {}\n", env!("CARGO_PKG_VERSION"));
            println!("Server:");
            println!(" Containers: {}", info["Containers"]);
            println!(
                "  Running: {}\n  Paused: {}\n  Stopped: {}",
                info["ContainersRunning"], info["ContainersPaused"], info["ContainersStopped"]
            );
            println!(" Images: {}", info["Images"]);
            println!(" Server Version: {}", env!("CARGO_PKG_VERSION"));
            println!(" Storage Driver: overlay");
            println!(" Logging Driver: json-file");
            println!(" Cgroup Driver: cgroupfs");
            println!(
                " Cgroup Version: {}",
                info["CgroupVersion"].as_str().unwrap_or("1")
            );
            println!(
                " Kernel Version: {}",
                info["KernelVersion"].as_str().unwrap_or("")
            );
            println!(" CPUs: {}", info["NCPU"]);
            println!(" Berth Root Dir: {}", engine.paths.root.display());
            Ok(0)
        }
        SystemCmd::Df => {
            let images = engine.images().list()?;
            let cs = engine.containers().list()?;
            let vols = engine.volumes().list()?;
            let used =
                |i: &berth_engine::image::ImageRecord| cs.iter().any(|c| c.record.image_id == i.id);
            let img_size: u64 = images.iter().map(|i| i.size).sum();
            let img_free: u64 = images.iter().filter(|i| !used(i)).map(|i| i.size).sum();
            let upper = |c: &berth_engine::container::Container| {
                berth_engine::util::du(&engine.paths.container_dir(c.id()).join("upper"))
            };
            let c_size: u64 = cs.iter().map(upper).sum();
            let c_free: u64 = cs
                .iter()
                .filter(|c| !c.state.status.is_live())
                .map(upper)
                .sum();
            let vsize = |v: &berth_engine::volume::Volume| engine.volumes().size(&v.name);
            let unused: Vec<_> = vols
                .iter()
                .filter(|v| {
                    engine
                        .volume_users(&v.name)
                        .map(|u| u.is_empty())
                        .unwrap_or(false)
                })
                .collect();
            let v_size: u64 = vols.iter().map(vsize).sum();
            let v_free: u64 = unused.iter().map(|v| vsize(v)).sum();
            // Docker shows the reclaimable share as a percentage of the total.
            let reclaim = |free: u64, total: u64| match (free * 100).checked_div(total) {
                Some(pct) => format!("{} ({pct}%)", human_size(free)),
                None => human_size(free),
            };

            let row = |kind: &str, total: usize, active: usize, size: u64, free: u64| {
                vec![
                    kind.to_string(),
                    total.to_string(),
                    active.to_string(),
                    human_size(size),
                    reclaim(free, size),
                ]
            };
            let rows = vec![
                row(
                    "Images",
                    images.len(),
                    images.iter().filter(|i| used(i)).count(),
                    img_size,
                    img_free,
                ),
                row(
                    "Containers",
                    cs.len(),
                    cs.iter().filter(|c| c.state.status.is_live()).count(),
                    c_size,
                    c_free,
                ),
                row(
                    "Local Volumes",
                    vols.len(),
                    vols.len() - unused.len(),
                    v_size,
                    v_free,
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
        } => {
            println!("Deleted Containers:");
            for c in engine.containers().list()? {
                if !c.state.status.is_live() && engine.remove_stopped(c.id(), false).is_ok() {
                    println!("{}", c.id());
                }
            }
            super::network::run(engine, super::network::NetworkCmd::Prune { force: true })?;
            let gc = engine.network_gc()?;
            if !gc.bridges.is_empty() || !gc.veths.is_empty() {
                println!("Deleted Network Links:");
                for l in gc.bridges.iter().chain(&gc.veths) {
                    println!("{l}");
                }
            }
            if volumes {
                super::volume::run(
                    engine,
                    super::volume::VolumeCmd::Prune {
                        all: false,
                        force: true,
                    },
                )?;
            }
            super::image::run(
                engine,
                super::image::ImageCmd::Prune(super::image::PruneArgs::for_system(all)),
            )?;
            Ok(0)
        }
    }
}
