//! `top` and `stats`: the engine reads the kernel; this module only words and lays out
//! what it returns, in Docker's columns and units.

use std::collections::HashMap;
use std::time::Duration;

use berth_engine::container::stats::ContainerStats;
use berth_engine::container::Container;
use berth_engine::Engine;
use clap::Args;
use serde_json::{json, Value};

use super::output::print_rows;
use super::CliResult;
use super::Failure;
use crate::format::human::{bytes_size, human_size_with_precision};
use crate::format::tabwriter::tabwrite;
use crate::format::truncate::short_id;

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
pub fn anatomy(engine: &Engine, a: AnatomyArgs) -> CliResult {
    let c = engine.containers().find(&a.container)?;
    let anatomy = engine.anatomy(&c)?;
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
pub fn top(engine: &Engine, a: TopArgs) -> CliResult {
    let door = super::door::Door::local(engine)?;
    let ps_args = (!a.ps_options.is_empty()).then(|| a.ps_options.join(" "));
    let t = door.call(door.backend().container_top(&a.container, ps_args))?;
    print_table(
        &t.titles.unwrap_or_default(),
        &t.processes.unwrap_or_default(),
    );
    Ok(0)
}

/// `berth port`: `80/tcp -> 0.0.0.0:8080` per published port, or the host addresses of
/// one port.
pub fn port(engine: &Engine, a: PortArgs) -> CliResult {
    use berth_engine::network::ports::spec::parse_key;
    let c = engine.containers().find(&a.container)?;
    let mut published = berth_engine::network::ports::active::published(&engine.paths, &c);
    published.sort_by_key(|m| (m.container_port, m.proto, m.host_ip, m.host_port));
    match &a.private_port {
        None => {
            for m in &published {
                println!(
                    "{}/{} -> {}:{}",
                    m.container_port,
                    m.proto.as_str(),
                    m.host_ip,
                    m.host_port
                );
            }
        }
        Some(p) => {
            let (port, proto) = parse_key(p).map_err(|e| Failure::from(format!("Error: {e}")))?;
            let hits: Vec<_> = published
                .iter()
                .filter(|m| m.container_port == port && m.proto == proto)
                .collect();
            if hits.is_empty() {
                return Err(Failure::from(format!(
                    "Error: No public port '{port}/{}' published for {}",
                    proto.as_str(),
                    c.name()
                )));
            }
            for m in hits {
                println!("{}:{}", m.host_ip, m.host_port);
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

fn io_pair(a: u64, b: u64) -> String {
    format!(
        "{} / {}",
        human_size_with_precision(a as f64, 3),
        human_size_with_precision(b as f64, 3)
    )
}

/// One row of `docker stats`, Docker's field names and wording. `cpu` is the CPU %
/// computed from two readings.
pub fn stats_row(label: &str, s: &ContainerStats, cpu: f64, no_trunc: bool) -> Value {
    let id = if no_trunc { &s.id } else { short_id(&s.id) };
    let (mem_usage, mem_perc) = if s.running {
        (
            format!(
                "{} / {}",
                bytes_size(s.memory_used()),
                bytes_size(s.memory_limit)
            ),
            format!("{:.2}%", s.memory_percent()),
        )
    } else {
        ("0B / 0B".to_string(), "0.00%".to_string())
    };
    json!({
        "Container": label,
        "ID": id,
        "Name": s.name,
        "CPUPerc": format!("{cpu:.2}%"),
        "MemUsage": mem_usage,
        "MemPerc": mem_perc,
        "NetIO": io_pair(s.net_rx_bytes, s.net_tx_bytes),
        "BlockIO": io_pair(s.block_read_bytes, s.block_write_bytes),
        "PIDs": s.pids.to_string(),
    })
}

/// The containers to show: those named (in order), or every running one (every one
/// with `-a`), listed afresh on each refresh so new containers appear.
fn targets(engine: &Engine, a: &StatsArgs) -> Result<Vec<(String, Container)>, super::Failure> {
    if !a.containers.is_empty() {
        return a
            .containers
            .iter()
            .map(|r| Ok((r.clone(), engine.containers().find(r)?)))
            .collect();
    }
    Ok(engine
        .containers()
        .list()?
        .into_iter()
        .filter(|c| a.all || c.state.status.is_live())
        .map(|c| (c.id().to_string(), c))
        .collect())
}

fn sample(
    engine: &Engine,
    list: &[(String, Container)],
) -> Result<Vec<(String, ContainerStats)>, super::Failure> {
    list.iter()
        .map(|(label, c)| Ok((label.clone(), engine.container_stats(c)?)))
        .collect()
}

fn render(
    now: &[(String, ContainerStats)],
    before: &HashMap<String, ContainerStats>,
    a: &StatsArgs,
) -> Result<(), super::Failure> {
    let rows: Vec<Value> = now
        .iter()
        .map(|(label, s)| {
            let cpu = before
                .get(&s.id)
                .filter(|_| s.running)
                .map(|b| s.cpu_percent_since(b))
                .unwrap_or(0.0);
            stats_row(label, s, cpu, a.no_trunc)
        })
        .collect();
    print_rows(&rows, STATS_HEADERS, STATS_DEFAULT, a.format.as_deref())
}

pub fn stats(engine: &Engine, a: StatsArgs) -> CliResult {
    let interval = Duration::from_secs(1);
    let mut before: HashMap<String, ContainerStats> = sample(engine, &targets(engine, &a)?)?
        .into_iter()
        .map(|(_, s)| (s.id.clone(), s))
        .collect();
    // SAFETY: isatty on a constant descriptor.
    let tty = unsafe { libc::isatty(1) == 1 };
    loop {
        std::thread::sleep(interval);
        let now = sample(engine, &targets(engine, &a)?)?;
        if !a.no_stream && tty {
            // Clear the screen and home the cursor, as Docker redraws.
            print!("\x1b[2J\x1b[H");
        }
        render(&now, &before, &a)?;
        if a.no_stream {
            return Ok(0);
        }
        before = now.into_iter().map(|(_, s)| (s.id.clone(), s)).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_rows_use_dockers_units() {
        let s = ContainerStats {
            id: "0123456789abcdef0123".into(),
            name: "web".into(),
            running: true,
            read_at: std::time::SystemTime::now(),
            cpu_usage_ns: 0,
            system_cpu_ns: 0,
            online_cpus: 2,
            memory_usage: 3 * 1024 * 1024 / 2,
            memory_inactive_file: 0,
            memory_limit: 1 << 30,
            net_rx_bytes: 1234,
            net_tx_bytes: 656,
            block_read_bytes: 0,
            block_write_bytes: 4_096_000,
            pids: 3,
        };
        let r = stats_row("web", &s, 12.3456, false);
        assert_eq!(r["ID"], "0123456789ab");
        assert_eq!(r["CPUPerc"], "12.35%");
        assert_eq!(r["MemUsage"], "1.5MiB / 1GiB");
        assert_eq!(r["MemPerc"], "0.15%");
        assert_eq!(r["NetIO"], "1.23kB / 656B");
        assert_eq!(r["BlockIO"], "0B / 4.1MB");
        assert_eq!(r["PIDs"], "3");
    }
}
