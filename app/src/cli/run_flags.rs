//! The daily flags of `run`/`create` beyond the first set in `create_flags.rs`: limits,
//! namespaces, devices, logging, DNS, groups, sysctls, attach streams. Sizes and files
//! are read here; everything else is handed to the engine, which checks it.

use std::path::PathBuf;

use berth_engine::container::create::CreateOptions;
use berth_engine::container::run_options::AttachStreams;
use clap::Args;

use crate::format::size::parse_size;

#[derive(Args, Debug, Clone, Default)]
pub struct RunFlags {
    /// Ulimit options (NAME=SOFT[:HARD], e.g. nofile=1024:2048)
    #[arg(long = "ulimit")]
    pub ulimit: Vec<String>,
    /// Add a host device to the container (HOST[:CONTAINER][:PERMISSIONS])
    #[arg(long = "device")]
    pub device: Vec<String>,
    /// Logging driver for the container (json-file, local, none)
    #[arg(long = "log-driver")]
    pub log_driver: Option<String>,
    /// Log driver options (max-size, max-file, compress)
    #[arg(long = "log-opt")]
    pub log_opt: Vec<String>,
    /// PID namespace to use (host, container:NAME)
    #[arg(long)]
    pub pid: Option<String>,
    /// IPC mode to use (private, shareable, host, none, container:NAME)
    #[arg(long)]
    pub ipc: Option<String>,
    /// UTS namespace to use (host)
    #[arg(long)]
    pub uts: Option<String>,
    /// Size of /dev/shm (default 64m)
    #[arg(long = "shm-size")]
    pub shm_size: Option<String>,
    /// Pull image before running (always, missing, never)
    #[arg(long)]
    pub pull: Option<String>,
    /// Set custom DNS search domains
    #[arg(long = "dns-search")]
    pub dns_search: Vec<String>,
    /// Set DNS options
    #[arg(long = "dns-option", visible_alias = "dns-opt")]
    pub dns_option: Vec<String>,
    /// Add additional groups to join
    #[arg(long = "group-add")]
    pub group_add: Vec<String>,
    /// Sysctl options (namespaced ones only)
    #[arg(long = "sysctl")]
    pub sysctl: Vec<String>,
    /// Disable OOM Killer
    #[arg(long = "oom-kill-disable")]
    pub oom_kill_disable: bool,
    /// Tune host's OOM preferences (-1000 to 1000)
    #[arg(long = "oom-score-adj", allow_hyphen_values = true)]
    pub oom_score_adj: Option<i64>,
    /// Memory soft limit
    #[arg(long = "memory-reservation")]
    pub memory_reservation: Option<String>,
    /// Limit CPU CFS (Completely Fair Scheduler) period
    #[arg(long = "cpu-period")]
    pub cpu_period: Option<i64>,
    /// Limit CPU CFS (Completely Fair Scheduler) quota
    #[arg(long = "cpu-quota", allow_hyphen_values = true)]
    pub cpu_quota: Option<i64>,
    /// Write the container ID to the file
    #[arg(long)]
    pub cidfile: Option<PathBuf>,
    /// Read in a line delimited file of labels
    #[arg(long = "label-file")]
    pub label_file: Vec<PathBuf>,
    /// Mount volumes from the specified container(s) (CONTAINER[:ro|rw])
    #[arg(long = "volumes-from")]
    pub volumes_from: Vec<String>,
    /// Container NIS domain name
    #[arg(long)]
    pub domainname: Option<String>,
    /// Set platform if server is multi-platform capable (only the host's here)
    #[arg(long)]
    pub platform: Option<String>,
    /// Attach to STDIN, STDOUT or STDERR
    #[arg(short = 'a', long = "attach")]
    pub attach: Vec<String>,
    /// Override the key sequence for detaching a container
    #[arg(long = "detach-keys")]
    pub detach_keys: Option<String>,
}

fn flag_err(flag: &str, value: &str, why: impl std::fmt::Display) -> String {
    format!("invalid argument {value:?} for \"{flag}\" flag: {why}")
}

/// A `--label-file`: one label a line (`KEY=VALUE` or `KEY`), `#` comments and blank
/// lines skipped, as Docker reads it.
pub fn read_label_file(p: &PathBuf) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(p)
        .map_err(|e| flag_err("--label-file", &p.display().to_string(), e))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap_or((l, ""));
            (k.to_string(), v.to_string())
        })
        .collect())
}

impl RunFlags {
    /// Fill `o` from these flags; `detach` is `run -d` (which attaches nothing).
    pub fn fill(&self, o: &mut CreateOptions, detach: bool) -> Result<(), String> {
        let size = |flag: &str, v: &Option<String>| {
            v.as_deref()
                .map(|s| parse_size(s).map_err(|e| flag_err(flag, s, e)))
                .transpose()
        };
        o.memory_reservation = size("--memory-reservation", &self.memory_reservation)?;
        o.shm_size = size("--shm-size", &self.shm_size)?;
        if o.shm_size == Some(0) {
            return Err(flag_err("--shm-size", "0", "must be greater than 0"));
        }
        o.cpu_period = self.cpu_period;
        o.cpu_quota = self.cpu_quota;
        // --label wins over a label file's line of the same key.
        for f in &self.label_file {
            for (k, v) in read_label_file(f)? {
                o.labels.entry(k).or_insert(v);
            }
        }
        if detach && !self.attach.is_empty() {
            return Err("Conflicting options: -a and -d".into());
        }
        o.attach = if detach {
            Some(AttachStreams {
                stdin: false,
                stdout: false,
                stderr: false,
            })
        } else if self.attach.is_empty() {
            None
        } else {
            Some(AttachStreams::parse(&self.attach).map_err(|e| e.to_string())?)
        };
        if let Some(k) = &self.detach_keys {
            super::detach_keys::parse(k)?;
        }
        o.ulimits = self.ulimit.clone();
        o.devices = self.device.clone();
        o.log_driver = self.log_driver.clone();
        o.log_opts = self.log_opt.clone();
        o.pid = self.pid.clone();
        o.ipc = self.ipc.clone();
        o.uts = self.uts.clone();
        o.pull = self.pull.clone();
        o.platform = self.platform.clone();
        o.dns_search = self.dns_search.clone();
        o.dns_options = self.dns_option.clone();
        o.group_add = self.group_add.clone();
        o.sysctls = self.sysctl.clone();
        o.oom_kill_disable = self.oom_kill_disable;
        o.oom_score_adj = self.oom_score_adj;
        o.volumes_from = self.volumes_from.clone();
        o.domainname = self.domainname.clone();
        o.cidfile = self.cidfile.as_ref().map(|p| p.display().to_string());
        if self.oom_kill_disable && o.memory.is_none() {
            eprintln!("WARNING: Disabling the OOM killer on containers without setting a '-m/--memory' limit may be dangerous.");
        }
        Ok(())
    }
}

/// `--cidfile`: claimed before the container is made (a file already there means another
/// container may own it, so nothing is made), filled once it exists, and given up if
/// the create fails.
pub struct CidFile(Option<(PathBuf, std::fs::File)>);

impl CidFile {
    pub fn claim(path: Option<&PathBuf>) -> Result<CidFile, String> {
        let Some(p) = path else {
            return Ok(CidFile(None));
        };
        let exists = || {
            format!(
                "Container ID file found, make sure the other container isn't running or delete {}",
                p.display()
            )
        };
        if p.exists() {
            return Err(exists());
        }
        let f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(p)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => exists(),
                _ => format!("failed to create the container ID file: {e}"),
            })?;
        Ok(CidFile(Some((p.clone(), f))))
    }

    pub fn write(self, id: &str) -> Result<(), String> {
        if let Some((p, mut f)) = self.0 {
            std::io::Write::write_all(&mut f, id.as_bytes())
                .map_err(|e| format!("failed to write the container ID to {}: {e}", p.display()))?;
        }
        Ok(())
    }

    pub fn abandon(self) {
        if let Some((p, _)) = self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}
