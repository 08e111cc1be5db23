//! `top`, `port` and `stats` through the engine interface (and `anatomy`, the local
//! engine's own view): this module only words and lays out what comes back, in Docker's
//! columns and units.

use bollard::models as m;
use bollard::query_parameters as q;
use clap::Args;
use futures_util::StreamExt;
use serde_json::Value;

use super::door::Door;
use super::output::print_rows;
use super::stats_row;
use super::CliResult;
use super::Failure;
use crate::backend::Stream;
use crate::format::tabwriter::tabwrite;

#[derive(Args, Debug)]
pub struct TopArgs {
    container: String,
    /// Options passed to ps (default: -ef)
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    ps_options: Vec<String>,
}

#[derive(Args, Debug)]
pub struct AnatomyArgs {
    container: String,
    /// Print the engine's data as JSON instead of sentences
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub struct PortArgs {
    container: String,
    /// PRIVATE_PORT[/PROTO]
    private_port: Option<String>,
}

#[derive(Args, Debug)]
pub struct StatsArgs {
    /// Show all containers (default shows just running)
    #[arg(short = 'a', long)]
    all: bool,
    /// Disable streaming stats and only pull the first result
    #[arg(long = "no-stream")]
    no_stream: bool,
    /// Do not truncate output
    #[arg(long = "no-trunc")]
    no_trunc: bool,
    /// Format output using a custom template
    #[arg(long)]
    format: Option<String>,
    containers: Vec<String>,
}

/// Docker's `top` table: tabwriter at minwidth 20, padding 3.
fn print_table(titles: &[String], rows: &[Vec<String>]) {
    let mut text = titles.join("\t");
    text.push('\n');
    for r in rows {
        text.push_str(&r.join("\t"));
        text.push('\n');
    }
    print!("{}", tabwrite(&text, 20, 3));
}

/// `berth anatomy CONTAINER`: the TUI's anatomy view as text.
pub fn anatomy(door: &Door, a: AnatomyArgs) -> CliResult {
    let anatomy = door.call(door.backend().container_anatomy(&a.container))?;
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&anatomy).map_err(|e| e.to_string())?
        );
    } else {
        print!("{}", crate::format::anatomy::render_text(&anatomy));
    }
    Ok(0)
}

/// `top` through the engine interface (`ps` options go as Docker's `ps_args`).
pub fn top(door: &Door, a: TopArgs) -> CliResult {
    let ps_args = (!a.ps_options.is_empty()).then(|| a.ps_options.join(" "));
    let t = door.call(door.backend().container_top(&a.container, ps_args))?;
    print_table(
        &t.titles.unwrap_or_default(),
        &t.processes.unwrap_or_default(),
    );
    Ok(0)
}

/// One published port from `NetworkSettings.Ports`: `(port, proto, host ip, host port)`.
type Published = (u16, String, String, String);

/// The container's published ports, in Docker's order (port, protocol, host address).
fn published(ports: &m::PortMap) -> Vec<Published> {
    let mut out: Vec<Published> = ports
        .iter()
        .flat_map(|(key, bindings)| {
            let (port, proto) = key.split_once('/').unwrap_or((key, "tcp"));
            let port = port.parse::<u16>().ok();
            bindings.iter().flatten().filter_map(move |b| {
                Some((
                    port?,
                    proto.to_string(),
                    b.host_ip.clone().unwrap_or_default(),
                    b.host_port.clone().unwrap_or_default(),
                ))
            })
        })
        .collect();
    let ip_key = |ip: &str| ip.parse::<std::net::IpAddr>().ok();
    out.sort_by(|a, b| {
        (a.0, &a.1, ip_key(&a.2), a.3.parse::<u32>().ok()).cmp(&(
            b.0,
            &b.1,
            ip_key(&b.2),
            b.3.parse::<u32>().ok(),
        ))
    });
    out
}

/// `berth port`: `80/tcp -> 0.0.0.0:8080` per published port, or the host addresses of
/// one port, from the container's inspect through the engine interface.
pub fn port(door: &Door, a: PortArgs) -> CliResult {
    // A pure parser of `80` / `80/udp` (the engine's, so the wording stays its own).
    use berth_engine::network::ports::spec::parse_key;
    let c = door.call(door.backend().container_inspect(&a.container, false))?;
    let published = published(&c.network_settings.and_then(|n| n.ports).unwrap_or_default());
    match &a.private_port {
        None => {
            for (port, proto, ip, host_port) in &published {
                println!("{port}/{proto} -> {ip}:{host_port}");
            }
        }
        Some(p) => {
            let (port, proto) = parse_key(p).map_err(|e| Failure::from(format!("Error: {e}")))?;
            let hits: Vec<_> = published
                .iter()
                .filter(|m| m.0 == port && m.1 == proto.as_str())
                .collect();
            if hits.is_empty() {
                let name = c.name.as_deref().unwrap_or_default();
                return Err(Failure::from(format!(
                    "Error: No public port '{port}/{}' published for {}",
                    proto.as_str(),
                    name.strip_prefix('/').unwrap_or(name)
                )));
            }
            for (_, _, ip, host_port) in hits {
                println!("{ip}:{host_port}");
            }
        }
    }
    Ok(0)
}

pub const STATS_HEADERS: &[(&str, &str)] = &[
    ("Container", "CONTAINER"),
    ("ID", "CONTAINER ID"),
    ("Name", "NAME"),
    ("CPUPerc", "CPU %"),
    ("MemUsage", "MEM USAGE / LIMIT"),
    ("MemPerc", "MEM %"),
    ("NetIO", "NET I/O"),
    ("BlockIO", "BLOCK I/O"),
    ("PIDs", "PIDS"),
];

pub const STATS_DEFAULT: &str = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";

/// One container's stats stream and the name the user gave it.
struct Watched {
    label: String,
    stream: Stream<m::ContainerStatsResponse>,
}

/// The containers to show: those named (in order), or every running one (every one
/// with `-a`), listed afresh on each refresh so new containers appear.
fn targets(door: &Door, a: &StatsArgs) -> Result<Vec<(String, String)>, Failure> {
    if !a.containers.is_empty() {
        return Ok(a
            .containers
            .iter()
            .map(|r| (r.clone(), r.clone()))
            .collect());
    }
    let opts = q::ListContainersOptions {
        all: a.all,
        ..Default::default()
    };
    Ok(door
        .call(door.backend().container_list(opts))?
        .into_iter()
        .filter_map(|c| c.id)
        .map(|id| (id.clone(), id))
        .collect())
}

/// Open a stream for each target not watched yet, reading its first reading (which has
/// no previous one to compute a CPU % from) so the next one is a full row.
async fn watch(
    door: &Door,
    watched: &mut Vec<Watched>,
    want: Vec<(String, String)>,
) -> Result<(), Failure> {
    watched.retain(|w| want.iter().any(|(label, _)| *label == w.label));
    for (label, id) in want {
        if watched.iter().any(|w| w.label == label) {
            continue;
        }
        let mut stream = door.backend().container_stats(&id, true).await?;
        if let Some(first) = stream.next().await {
            first?;
        }
        watched.push(Watched { label, stream });
    }
    Ok(())
}

/// The next reading of every watched container, read side by side (each stream reads
/// once a second); a container that went away drops out.
async fn next_rows(watched: &mut Vec<Watched>, no_trunc: bool) -> Result<Vec<Value>, Failure> {
    let readings =
        futures_util::future::join_all(watched.iter_mut().map(|w| w.stream.next())).await;
    let mut rows = Vec::new();
    let mut gone = Vec::new();
    for (w, r) in watched.iter().zip(readings) {
        match r {
            Some(reading) => rows.push(stats_row::row(&w.label, &reading?, no_trunc)),
            None => gone.push(w.label.clone()),
        }
    }
    watched.retain(|w| !gone.contains(&w.label));
    Ok(rows)
}

/// `stats` through the engine interface's stats streams.
pub fn stats(door: &Door, a: StatsArgs) -> CliResult {
    // SAFETY: isatty on a constant descriptor.
    let tty = unsafe { libc::isatty(1) == 1 };
    let mut watched = Vec::new();
    loop {
        let want = targets(door, &a)?;
        let rows = door.block_on(async {
            watch(door, &mut watched, want).await?;
            next_rows(&mut watched, a.no_trunc).await
        })?;
        if !a.no_stream && tty {
            // Clear the screen and home the cursor, as Docker redraws.
            print!("\x1b[2J\x1b[H");
        }
        print_rows(&rows, STATS_HEADERS, STATS_DEFAULT, a.format.as_deref())?;
        if a.no_stream {
            return Ok(0);
        }
        if watched.is_empty() {
            // Nothing to read from: wait as a reading would before listing again.
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    }
}
