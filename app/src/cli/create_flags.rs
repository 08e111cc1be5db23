//! The flags `run` and `create` share, and their translation into engine options.
//! Values are checked here so that a bad flag names itself in the error.

use std::collections::BTreeMap;
use std::path::PathBuf;

use berth_engine::container::create::CreateOptions;
use clap::Args;

use crate::format::size::parse_size;

#[derive(Args, Debug, Clone)]
pub struct CreateFlags {
    /// Keep STDIN open even if not attached
    #[arg(short = 'i', long)]
    pub interactive: bool,
    /// Allocate a pseudo-TTY
    #[arg(short = 't', long)]
    pub tty: bool,
    /// Automatically remove the container when it exits
    #[arg(long)]
    pub rm: bool,
    /// Assign a name to the container
    // (a value may start with '-', as Docker's flag parser takes it; the name check
    // then refuses it by name)
    #[arg(long, allow_hyphen_values = true)]
    pub name: Option<String>,
    /// Set environment variables
    #[arg(short = 'e', long = "env")]
    pub env: Vec<String>,
    /// Read in a file of environment variables
    #[arg(long = "env-file")]
    pub env_file: Vec<PathBuf>,
    /// Working directory inside the container
    #[arg(short = 'w', long = "workdir")]
    pub workdir: Option<String>,
    /// Username or UID (format: <name|uid>[:<group|gid>])
    #[arg(short = 'u', long)]
    pub user: Option<String>,
    /// Container host name
    #[arg(short = 'h', long)]
    pub hostname: Option<String>,
    /// Print help (-h is --hostname here, as in Docker)
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,

    /// Overwrite the default ENTRYPOINT of the image
    #[arg(long)]
    pub entrypoint: Option<String>,
    /// Set meta data on a container
    #[arg(short = 'l', long = "label")]
    pub labels: Vec<String>,
    /// Restart policy to apply when a container exits (no, always, on-failure[:N], unless-stopped)
    #[arg(long)]
    pub restart: Option<String>,
    /// Memory limit
    #[arg(short = 'm', long)]
    pub memory: Option<String>,
    /// Swap limit equal to memory plus swap: '-1' to enable unlimited swap
    #[arg(long = "memory-swap", allow_hyphen_values = true)]
    pub memory_swap: Option<String>,
    /// Number of CPUs
    #[arg(long, allow_hyphen_values = true)]
    pub cpus: Option<String>,
    /// CPU shares (relative weight)
    #[arg(short = 'c', long = "cpu-shares")]
    pub cpu_shares: Option<i64>,
    /// Tune container pids limit (set -1 for unlimited)
    #[arg(long = "pids-limit", allow_hyphen_values = true)]
    pub pids_limit: Option<i64>,
    /// CPUs in which to allow execution (0-3, 0,1)
    #[arg(long = "cpuset-cpus")]
    pub cpuset_cpus: Option<String>,
    /// Mount the container's root filesystem as read only
    #[arg(long = "read-only")]
    pub read_only: bool,
    /// Mount a tmpfs directory
    #[arg(long)]
    pub tmpfs: Vec<String>,
    /// Bind mount a volume
    #[arg(short = 'v', long = "volume")]
    pub volumes: Vec<String>,
    /// Attach a filesystem mount to the container
    #[arg(long = "mount")]
    pub mounts: Vec<String>,
    /// Run an init inside the container that forwards signals and reaps processes
    #[arg(long)]
    pub init: bool,
    /// Signal to stop the container
    #[arg(long = "stop-signal")]
    pub stop_signal: Option<String>,
    /// Timeout (in seconds) to stop a container
    #[arg(long = "stop-timeout")]
    pub stop_timeout: Option<i64>,
    /// Connect a container to a network (bridge, none, host)
    #[arg(long = "network", visible_alias = "net")]
    pub network: Option<String>,
    /// IPv4 address (e.g., 172.30.100.104) on the network
    #[arg(long)]
    pub ip: Option<String>,
    /// Add network-scoped alias for the container
    #[arg(long = "network-alias", visible_alias = "net-alias")]
    pub network_alias: Vec<String>,
    /// Container MAC address (e.g., 92:d0:c6:0a:29:33)
    #[arg(long = "mac-address")]
    pub mac_address: Option<String>,
    /// Set custom DNS servers
    #[arg(long)]
    pub dns: Vec<String>,
    /// Add a custom host-to-IP mapping (host:ip)
    #[arg(long = "add-host")]
    pub add_host: Vec<String>,
    /// Command to run to check health
    #[arg(long = "health-cmd")]
    pub health_cmd: Option<String>,
    /// Time between running the check (ms|s|m|h)
    #[arg(long = "health-interval", value_parser = parse_duration_flag)]
    pub health_interval: Option<std::time::Duration>,
    /// Maximum time to allow one check to run (ms|s|m|h)
    #[arg(long = "health-timeout", value_parser = parse_duration_flag)]
    pub health_timeout: Option<std::time::Duration>,
    /// Consecutive failures needed to report unhealthy
    #[arg(long = "health-retries")]
    pub health_retries: Option<u32>,
    /// Start period for the container to initialize before counting retries (ms|s|m|h)
    #[arg(long = "health-start-period", value_parser = parse_duration_flag)]
    pub health_start_period: Option<std::time::Duration>,
    /// Time between running the check during the start period (ms|s|m|h)
    #[arg(long = "health-start-interval", value_parser = parse_duration_flag)]
    pub health_start_interval: Option<std::time::Duration>,
    /// Disable any container-specified HEALTHCHECK
    #[arg(long = "no-healthcheck")]
    pub no_healthcheck: bool,
    /// Action when the container turns unhealthy: none, kill, restart, stop
    #[arg(long = "health-on-failure")]
    pub health_on_failure: Option<String>,
    /// Publish a container's port(s) to the host: [IP:][HOSTPORT:]CONTAINERPORT[/PROTO]
    #[arg(short = 'p', long = "publish")]
    pub publish: Vec<String>,
    /// Publish all exposed ports to free host ports
    #[arg(short = 'P', long = "publish-all")]
    pub publish_all: bool,
    /// Expose a port or a range of ports
    #[arg(long)]
    pub expose: Vec<String>,
    /// Add link to another container (legacy): NAME[:ALIAS] in /etc/hosts
    #[arg(long = "link")]
    pub link: Vec<String>,
    /// Add Linux capabilities
    #[arg(long = "cap-add")]
    pub cap_add: Vec<String>,
    /// Drop Linux capabilities
    #[arg(long = "cap-drop")]
    pub cap_drop: Vec<String>,
    /// Give extended privileges to this container
    #[arg(long)]
    pub privileged: bool,
    /// Security options: no-new-privileges[=true|false], seccomp=unconfined|PROFILE.json,
    /// systempaths=unconfined (label= and apparmor= are accepted and do nothing here)
    #[arg(long = "security-opt")]
    pub security_opt: Vec<String>,
    /// Optional parent cgroup for the container
    #[arg(long = "cgroup-parent")]
    pub cgroup_parent: Option<String>,
    #[command(flatten)]
    pub more: super::run_flags::RunFlags,
    /// IMAGE [COMMAND] [ARG...]
    #[arg(
        required = true,
        trailing_var_arg = true,
        value_name = "IMAGE [COMMAND] [ARG...]"
    )]
    pub args: Vec<String>,
}

fn flag_err(flag: &str, value: &str, why: impl std::fmt::Display) -> String {
    format!(
        "invalid argument {value:?} for \"{}\" flag: {why}",
        with_shorthand(flag)
    )
}

/// `--cpus` as nano CPUs. Only the syntax, as Docker's `ParseCPUs`; whether the number
/// is in range is the engine's to say (`container::limits`), whichever front end asks.
pub(super) fn parse_cpus(c: &str) -> Result<i64, String> {
    let v: f64 = c
        .trim()
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| {
            flag_err(
                "--cpus",
                c,
                format!("failed to parse {c} as a rational number"),
            )
        })?;
    Ok((v * 1e9).round() as i64)
}

/// A flag as Docker's parser names it in errors: `-m, --memory` where it has a short
/// form.
fn with_shorthand(flag: &str) -> String {
    const SHORT: &[(&str, char)] = &[
        ("--env", 'e'),
        ("--workdir", 'w'),
        ("--user", 'u'),
        ("--hostname", 'h'),
        ("--label", 'l'),
        ("--memory", 'm'),
        ("--cpu-shares", 'c'),
        ("--volume", 'v'),
        ("--publish", 'p'),
        ("--attach", 'a'),
    ];
    match SHORT.iter().find(|(long, _)| *long == flag) {
        Some((long, c)) => format!("-{c}, {long}"),
        None => flag.to_string(),
    }
}

/// `KEY=VALUE`, or `KEY` alone which takes the value from berth's own environment.
fn env_entry(e: &str) -> Option<String> {
    if e.contains('=') {
        Some(e.to_string())
    } else {
        std::env::var(e).ok().map(|v| format!("{e}={v}"))
    }
}

pub fn read_env_file(p: &PathBuf) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(p).map_err(|e| format!("open {}: {e}", p.display()))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let l = line.trim_start();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if l.starts_with('=')
            || l.split('=')
                .next()
                .is_some_and(|k| k.contains(char::is_whitespace))
        {
            return Err(format!(
                "{}:{}: invalid environment variable: {l}",
                p.display(),
                n + 1
            ));
        }
        out.extend(env_entry(l));
    }
    Ok(out)
}

impl CreateFlags {
    /// The engine's options; `detach` is `run -d`, which attaches no stream.
    pub fn to_options(&self, detach: bool) -> Result<CreateOptions, String> {
        let mut o = self.base_options()?;
        self.more.fill(&mut o, detach)?;
        Ok(o)
    }

    fn base_options(&self) -> Result<CreateOptions, String> {
        let mut env = Vec::new();
        for f in &self.env_file {
            env.extend(read_env_file(f)?);
        }
        for e in &self.env {
            // Checked here, as Docker's flag parser does, so the error names the flag.
            if e.is_empty() || e.starts_with('=') {
                return Err(flag_err(
                    "--env",
                    e,
                    format!("invalid environment variable: {e}"),
                ));
            }
        }
        env.extend(self.env.iter().filter_map(|e| env_entry(e)));
        let mut labels = BTreeMap::new();
        for l in &self.labels {
            let (k, v) = l.split_once('=').unwrap_or((l, ""));
            labels.insert(k.to_string(), v.to_string());
        }
        let memory = self
            .memory
            .as_deref()
            .map(|m| parse_size(m).map_err(|e| flag_err("--memory", m, e)))
            .transpose()?;
        let memory_swap = match self.memory_swap.as_deref() {
            Some("-1") => Some(-1),
            Some(m) => Some(parse_size(m).map_err(|e| flag_err("--memory-swap", m, e))?),
            None => None,
        };
        // Only the syntax here: the range is the engine's (`container::limits`), so
        // every front end gets the same message.
        let nano_cpus = match self.cpus.as_deref() {
            Some(c) => Some(parse_cpus(c)?),
            None => None,
        };
        for note in berth_engine::container::security_opt::notes(&self.security_opt) {
            eprintln!("WARNING: {note}");
        }
        let no_ports = matches!(self.network.as_deref(), Some("host") | Some("none"));
        if no_ports && (!self.publish.is_empty() || self.publish_all) {
            eprintln!("WARNING: Published ports are discarded when using host network mode");
        }
        Ok(CreateOptions {
            image: self.args[0].clone(),
            name: self.name.clone(),
            cmd: self.args[1..].to_vec(),
            entrypoint: self.entrypoint.clone().map(|e| vec![e]),
            env,
            workdir: self.workdir.clone(),
            user: self.user.clone(),
            hostname: self.hostname.clone(),
            labels,
            tty: self.tty,
            open_stdin: self.interactive,
            restart: self.restart.clone(),
            auto_remove: self.rm,
            memory,
            memory_swap,
            nano_cpus,
            cpu_shares: self.cpu_shares,
            pids_limit: self.pids_limit,
            cpuset_cpus: self.cpuset_cpus.clone(),
            read_only: self.read_only,
            tmpfs: self.tmpfs.clone(),
            volumes: self.volumes.clone(),
            mounts: self.mounts.clone(),
            init: self.init,
            stop_signal: self.stop_signal.clone(),
            stop_timeout: self.stop_timeout,
            network: self.network.clone(),
            ip: self.ip.clone(),
            network_aliases: self.network_alias.clone(),
            mac_address: self.mac_address.clone(),
            dns: self.dns.clone(),
            add_hosts: self.add_host.clone(),
            links: self.link.clone(),
            cap_add: self.cap_add.clone(),
            cap_drop: self.cap_drop.clone(),
            privileged: self.privileged,
            security_opt: self.security_opt.clone(),
            cgroup_parent: self.cgroup_parent.clone(),
            health: berth_engine::container::health::HealthFlags {
                cmd: self.health_cmd.clone(),
                test: None,
                interval: self.health_interval,
                timeout: self.health_timeout,
                start_period: self.health_start_period,
                start_interval: self.health_start_interval,
                retries: self.health_retries,
                none: self.no_healthcheck,
            },
            health_on_failure: self.health_on_failure.clone(),
            publish: self.publish.clone(),
            publish_all: self.publish_all,
            expose: self.expose.clone(),
            ..Default::default()
        })
    }
}

/// A Go-style duration flag (`30s`, `1m30s`, `500ms`), as Docker's health flags take.
fn parse_duration_flag(s: &str) -> Result<std::time::Duration, String> {
    berth_engine::util::parse_go_duration(s)
        .filter(|n| *n >= 0)
        .map(|n| std::time::Duration::from_nanos(n as u64))
        .ok_or_else(|| format!("invalid duration {s:?}: use e.g. 500ms, 30s, 1m30s"))
}
