//! `berth top`: the processes in a container's cgroup, with host PIDs as `docker top`
//! shows them. The default columns (`ps -ef`'s UID PID PPID C STIME TTY TIME CMD) are read
//! from /proc directly; other `ps` options run the host's `ps` and keep the rows whose PID
//! is in the container, as Docker does.

use std::collections::{BTreeSet, HashMap};
use std::fs;

use chrono::{DateTime, Local, TimeZone};

use super::Container;
use crate::cgroups;
use crate::error::{Error, Result};
use crate::Engine;

/// One process, raw enough for any presentation: the CLI words STIME and TIME.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessInfo {
    pub uid: u32,
    /// The host's name for `uid` (the host's /etc/passwd, as `ps` on the host shows it),
    /// or the number.
    pub user: String,
    pub pid: i32,
    pub ppid: i32,
    /// `ps`'s C: CPU use over the process's lifetime, percent, at most 99.
    pub cpu_percent: u64,
    /// Start time, seconds since the epoch.
    pub start_unix: i64,
    pub tty: String,
    /// User plus system CPU time, seconds.
    pub cpu_secs: u64,
    pub cmd: String,
}

/// `ps -ef`'s columns: what `docker top` shows without ps options.
pub const PS_EF_TITLES: [&str; 8] = ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"];

impl ProcessInfo {
    /// This process as a `ps -ef` row, STIME and TIME worded as `ps` words them at `now`.
    pub fn ps_ef_row(&self, now: DateTime<Local>) -> Vec<String> {
        let start = Local
            .timestamp_opt(self.start_unix, 0)
            .single()
            .unwrap_or(now);
        vec![
            self.user.clone(),
            self.pid.to_string(),
            self.ppid.to_string(),
            self.cpu_percent.to_string(),
            stime(start, now),
            self.tty.clone(),
            cpu_time(self.cpu_secs),
            self.cmd.clone(),
        ]
    }
}

/// `ps`'s STIME: the time of day within the last 24 hours, else month and day within
/// the year, else the year.
pub fn stime(start: DateTime<Local>, now: DateTime<Local>) -> String {
    if now.signed_duration_since(start) < chrono::TimeDelta::hours(24) {
        start.format("%H:%M").to_string()
    } else if start.format("%Y").to_string() == now.format("%Y").to_string() {
        start.format("%b%d").to_string()
    } else {
        start.format("%Y").to_string()
    }
}

/// `ps`'s TIME: `[D-]HH:MM:SS`.
pub fn cpu_time(secs: u64) -> String {
    let (d, h, m, s) = (secs / 86400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if d > 0 {
        format!("{d}-{h:02}:{m:02}:{s:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

/// A table of `ps` output restricted to the container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PsTable {
    pub titles: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Engine {
    /// Host PIDs of every process in the container's cgroup.
    pub fn container_pids(&self, c: &Container) -> Result<Vec<i32>> {
        let c = self.containers().load(c.id())?;
        if !c.state.status.is_live() || c.state.pid <= 0 {
            return Err(Error::Conflict(format!(
                "Container {} is not running",
                c.id()
            )));
        }
        let cg = cgroups::open(
            &self.config.cgroup_root,
            &c.record.host_config.cgroup_parent,
            c.id(),
        )?;
        let mut pids = cg.procs()?;
        pids.sort_unstable();
        pids.dedup();
        Ok(pids)
    }

    /// `ps -ef` for the container, from /proc.
    pub fn top(&self, c: &Container) -> Result<Vec<ProcessInfo>> {
        let pids = self.container_pids(c)?;
        let users = host_users();
        let clock = Clock::read();
        // A process that exits between listing and reading is simply not shown.
        Ok(pids
            .into_iter()
            .filter_map(|p| process_info(p, &clock, &users))
            .collect())
    }

    /// `docker top CONTAINER [ps OPTIONS]`: `ps -ef`'s table (read from /proc) without
    /// options or with `-ef`, else the host's `ps` with them, filtered.
    pub fn top_table(&self, c: &Container, ps_args: &[String]) -> Result<PsTable> {
        if ps_args.is_empty() || ps_args == ["-ef"] {
            let now = Local::now();
            return Ok(PsTable {
                titles: PS_EF_TITLES.iter().map(|t| t.to_string()).collect(),
                rows: self.top(c)?.iter().map(|p| p.ps_ef_row(now)).collect(),
            });
        }
        self.top_ps(c, ps_args)
    }

    /// `top CONTAINER [ps OPTIONS]`: the host's `ps` with those options, filtered.
    pub fn top_ps(&self, c: &Container, ps_args: &[String]) -> Result<PsTable> {
        let pids: BTreeSet<i32> = self.container_pids(c)?.into_iter().collect();
        let out = std::process::Command::new("ps")
            .args(ps_args)
            .output()
            .map_err(|e| Error::Runtime(format!("running ps: {e}")))?;
        if !out.status.success() {
            return Err(Error::Runtime(format!(
                "ps: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        filter_ps(&String::from_utf8_lossy(&out.stdout), &pids)
    }
}

/// Keep the header and the rows whose PID column is one of `pids`. The last column takes
/// the rest of the line (commands have spaces).
pub fn filter_ps(out: &str, pids: &BTreeSet<i32>) -> Result<PsTable> {
    let mut lines = out.lines();
    let titles: Vec<String> = lines
        .next()
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let pid_col = titles
        .iter()
        .position(|t| t == "PID")
        .ok_or_else(|| Error::invalid("Couldn't find PID field in ps output"))?;
    let mut rows = Vec::new();
    for line in lines {
        let mut fields: Vec<String> = Vec::new();
        let mut rest = line.trim_start();
        while fields.len() + 1 < titles.len() && !rest.is_empty() {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            fields.push(rest[..end].to_string());
            rest = rest[end..].trim_start();
        }
        fields.push(rest.to_string());
        let pid = fields.get(pid_col).and_then(|p| p.parse::<i32>().ok());
        if pid.is_some_and(|p| pids.contains(&p)) {
            rows.push(fields);
        }
    }
    Ok(PsTable { titles, rows })
}

/// What turns clock ticks into times.
struct Clock {
    hz: u64,
    boot_unix: i64,
    uptime_secs: f64,
}

impl Clock {
    fn read() -> Clock {
        // SAFETY: sysconf has no preconditions.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
        let boot_unix = fs::read_to_string("/proc/stat")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("btime ").map(|v| v.trim().parse().ok()))
                    .flatten()
            })
            .unwrap_or(0);
        let uptime_secs = fs::read_to_string("/proc/uptime")
            .ok()
            .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
            .unwrap_or(0.0);
        Clock {
            hz,
            boot_unix,
            uptime_secs,
        }
    }
}

fn host_users() -> HashMap<u32, String> {
    fs::read_to_string("/etc/passwd")
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let mut f = l.split(':');
            let name = f.next()?;
            let uid = f.nth(1)?.parse().ok()?;
            Some((uid, name.to_string()))
        })
        .collect()
}

fn process_info(pid: i32, clock: &Clock, users: &HashMap<u32, String>) -> Option<ProcessInfo> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let comm_start = stat.find('(')?;
    let comm_end = stat.rfind(')')?;
    let comm = &stat[comm_start + 1..comm_end];
    let f: Vec<&str> = stat.get(comm_end + 2..)?.split_whitespace().collect();
    let num = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok());
    let ppid = f.get(1)?.parse().ok()?;
    let tty_nr = num(4)?;
    let ticks = num(11)? + num(12)?;
    let start_ticks = num(19)?;
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|v| v.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())?;
    let cmdline = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let args: Vec<String> = cmdline
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    let cmd = if args.is_empty() {
        format!("[{comm}]")
    } else {
        args.join(" ")
    };
    let elapsed = clock.uptime_secs - start_ticks as f64 / clock.hz as f64;
    Some(ProcessInfo {
        uid,
        user: users.get(&uid).cloned().unwrap_or_else(|| uid.to_string()),
        pid,
        ppid,
        cpu_percent: lifetime_percent(ticks, clock.hz, elapsed),
        start_unix: clock.boot_unix + (start_ticks / clock.hz) as i64,
        tty: tty_name(tty_nr),
        cpu_secs: ticks / clock.hz,
        cmd,
    })
}

/// `ps`'s C column: CPU ticks over the lifetime, in percent, capped at 99.
pub fn lifetime_percent(ticks: u64, hz: u64, elapsed_secs: f64) -> u64 {
    if elapsed_secs <= 0.0 || hz == 0 {
        return 0;
    }
    let pct = (ticks as f64 / hz as f64) * 100.0 / elapsed_secs;
    (pct as u64).min(99)
}

/// The terminal from /proc/PID/stat's tty_nr, as `ps` names it.
pub fn tty_name(tty_nr: u64) -> String {
    let major = (tty_nr >> 8) & 0xfff;
    let minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
    match major {
        0 => "?".into(),
        136..=143 => format!("pts/{}", minor + (major - 136) * 256),
        4 if minor < 64 => format!("tty{minor}"),
        4 => format!("ttyS{}", minor - 64),
        _ => "?".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ps_output_is_filtered_by_pid_and_keeps_spaces_in_the_command() {
        let out = "USER PID %CPU COMMAND\nroot 1 0.0 /sbin/init splash\nroot 42 1.5 sleep 1000\n";
        let t = filter_ps(out, &[42].into_iter().collect()).unwrap();
        assert_eq!(t.titles, vec!["USER", "PID", "%CPU", "COMMAND"]);
        assert_eq!(t.rows, vec![vec!["root", "42", "1.5", "sleep 1000"]]);
        assert!(filter_ps("A B\n1 2\n", &BTreeSet::new()).is_err());
    }

    #[test]
    fn ps_times() {
        assert_eq!(cpu_time(0), "00:00:00");
        assert_eq!(cpu_time(3723), "01:02:03");
        assert_eq!(cpu_time(90061), "1-01:01:01");
        let now = Local.with_ymd_and_hms(2024, 6, 10, 12, 0, 0).unwrap();
        let today = Local.with_ymd_and_hms(2024, 6, 10, 9, 5, 0).unwrap();
        assert_eq!(stime(today, now), "09:05");
        let earlier = Local.with_ymd_and_hms(2024, 1, 2, 9, 5, 0).unwrap();
        assert_eq!(stime(earlier, now), "Jan02");
        let old = Local.with_ymd_and_hms(2022, 1, 2, 9, 5, 0).unwrap();
        assert_eq!(stime(old, now), "2022");
    }

    #[test]
    fn tty_names_and_lifetime_cpu() {
        assert_eq!(tty_name(0), "?");
        assert_eq!(tty_name(136 << 8 | 3), "pts/3");
        assert_eq!(tty_name(4 << 8 | 1), "tty1");
        assert_eq!(lifetime_percent(50, 100, 10.0), 5);
        assert_eq!(lifetime_percent(5000, 100, 10.0), 99);
        assert_eq!(lifetime_percent(5, 100, 0.0), 0);
    }

    #[test]
    fn own_process_reads() {
        let me = std::process::id() as i32;
        let p = process_info(me, &Clock::read(), &host_users()).unwrap();
        assert_eq!(p.pid, me);
        assert!(p.start_unix > 1_000_000_000);
        assert!(!p.cmd.is_empty());
    }
}
