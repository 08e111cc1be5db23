//! `update`: change the limits and restart policy of containers, running or not, with
//! Docker's flags, output (each container's name as given) and errors, through the
//! engine interface's `container_update`.

use berth_engine::container::model::RestartPolicy;
use bollard::models as m;
use clap::Args;

use super::door::Door;
use super::{CliResult, Failure};
use crate::format::size::parse_size;

#[derive(Args, Debug, Default)]
pub struct UpdateArgs {
    /// Number of CPUs
    #[arg(long, allow_hyphen_values = true)]
    cpus: Option<String>,
    /// CPU shares (relative weight)
    #[arg(short = 'c', long = "cpu-shares")]
    cpu_shares: Option<i64>,
    /// Limit CPU CFS (Completely Fair Scheduler) period
    #[arg(long = "cpu-period")]
    cpu_period: Option<i64>,
    /// Limit CPU CFS (Completely Fair Scheduler) quota
    #[arg(long = "cpu-quota", allow_hyphen_values = true)]
    cpu_quota: Option<i64>,
    /// CPUs in which to allow execution (0-3, 0,1)
    #[arg(long = "cpuset-cpus")]
    cpuset_cpus: Option<String>,
    /// MEMs in which to allow execution (0-3, 0,1)
    #[arg(long = "cpuset-mems")]
    cpuset_mems: Option<String>,
    /// Memory limit
    #[arg(short = 'm', long)]
    memory: Option<String>,
    /// Memory soft limit
    #[arg(long = "memory-reservation")]
    memory_reservation: Option<String>,
    /// Swap limit equal to memory plus swap: '-1' to enable unlimited swap
    #[arg(long = "memory-swap", allow_hyphen_values = true)]
    memory_swap: Option<String>,
    /// Tune container pids limit (set -1 for unlimited)
    #[arg(long = "pids-limit", allow_hyphen_values = true)]
    pids_limit: Option<i64>,
    /// Restart policy to apply when a container exits
    #[arg(long)]
    restart: Option<String>,
    #[arg(required = true, value_name = "CONTAINER")]
    containers: Vec<String>,
}

fn flag_err(flag: &str, value: &str, why: impl std::fmt::Display) -> Failure {
    Failure {
        code: 125,
        message: format!("invalid argument {value:?} for \"{flag}\" flag: {why}"),
    }
}

impl UpdateArgs {
    /// Docker's update body from the flags (only those given are set); a bad value is
    /// refused as Docker's flag parser does.
    pub fn to_body(&self) -> Result<m::ContainerUpdateBody, Failure> {
        let bytes = |flag: &str, v: &Option<String>| -> Result<Option<i64>, Failure> {
            v.as_deref()
                .map(|s| parse_size(s).map_err(|e| flag_err(flag, s, e)))
                .transpose()
        };
        let memory_swap = match self.memory_swap.as_deref() {
            Some("-1") => Some(-1),
            other => bytes("--memory-swap", &other.map(str::to_string))?,
        };
        // Only the syntax here: the range is the engine's (`container::limits`).
        let nano_cpus = match self.cpus.as_deref() {
            Some(c) => Some(super::create_flags::parse_cpus(c).map_err(Failure::from)?),
            None => None,
        };
        // The policy is checked here, as Docker's client checks it before sending.
        let restart_policy = self
            .restart
            .as_deref()
            .filter(|r| !r.is_empty())
            .map(RestartPolicy::parse)
            .transpose()
            .map_err(|m| Failure {
                code: 1,
                message: m,
            })?
            .map(|p| {
                serde_json::from_value(serde_json::json!({
                    "Name": p.name,
                    "MaximumRetryCount": p.maximum_retry_count,
                }))
                .map_err(|e| Failure::from(format!("restart policy: {e}")))
            })
            .transpose()?;
        Ok(m::ContainerUpdateBody {
            memory: bytes("--memory", &self.memory)?,
            memory_swap,
            memory_reservation: bytes("--memory-reservation", &self.memory_reservation)?,
            nano_cpus,
            cpu_shares: self.cpu_shares,
            cpu_period: self.cpu_period,
            cpu_quota: self.cpu_quota,
            cpuset_cpus: self.cpuset_cpus.clone(),
            cpuset_mems: self.cpuset_mems.clone(),
            pids_limit: self.pids_limit,
            restart_policy,
            ..Default::default()
        })
    }
}

pub fn run(door: &Door, a: UpdateArgs) -> CliResult {
    let body = a.to_body()?;
    if body == m::ContainerUpdateBody::default() {
        return Err("You must provide one or more flags when using this command.".into());
    }
    // Docker updates each container, prints the names that worked, then the errors.
    let mut errors = Vec::new();
    for r in &a.containers {
        match door.call(door.backend().container_update(r, body.clone())) {
            Ok(_) => println!("{r}"),
            Err(e) => errors.push(format!("Error response from daemon: {}", e.message)),
        }
    }
    if errors.is_empty() {
        Ok(0)
    } else {
        Err(errors.join("\n").into())
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        a: UpdateArgs,
    }

    fn opts(args: &[&str]) -> Result<m::ContainerUpdateBody, String> {
        let t = T::try_parse_from(std::iter::once("update").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        t.a.to_body().map_err(|f| f.message)
    }

    #[test]
    fn flags_become_dockers_api_units() {
        let o = opts(&[
            "-m",
            "64m",
            "--memory-swap",
            "-1",
            "--cpus",
            "1.5",
            "-c",
            "512",
            "--pids-limit",
            "-1",
            "--restart",
            "on-failure:2",
            "web",
        ])
        .expect("valid");
        assert_eq!(o.memory, Some(64 << 20));
        assert_eq!(o.memory_swap, Some(-1));
        assert_eq!(o.nano_cpus, Some(1_500_000_000));
        assert_eq!(o.cpu_shares, Some(512));
        assert_eq!(o.pids_limit, Some(-1));
        let restart = o.restart_policy.expect("restart");
        assert_eq!(restart.maximum_retry_count, Some(2));
        assert_eq!(restart.name, Some(m::RestartPolicyNameEnum::ON_FAILURE));
        let o = opts(&[
            "--cpu-period",
            "50000",
            "--cpu-quota",
            "25000",
            "--memory-reservation",
            "32m",
            "web",
        ])
        .expect("valid");
        assert_eq!((o.cpu_period, o.cpu_quota), (Some(50_000), Some(25_000)));
        assert_eq!(o.memory_reservation, Some(32 << 20));
    }

    #[test]
    fn bad_values_name_their_flag() {
        let e = opts(&["-m", "lots", "web"]).unwrap_err();
        assert!(
            e.starts_with("invalid argument \"lots\" for \"--memory\" flag"),
            "{e}"
        );
        let e = opts(&["--restart", "sometimes", "web"]).unwrap_err();
        assert!(e.contains("sometimes"), "{e}");
    }
}
