//! The parts of `create` for the flags added after its first shape (`--ulimit`,
//! `--device`, `--log-*`, `--pid`/`--ipc`/`--uts`, `--shm-size`, `--dns-search`/
//! `--dns-option`, `--group-add`, `--sysctl`, `--oom-*`, `--volumes-from`, `--pull`...):
//! every value checked in one pass, before anything is made, into what the records keep.

use std::collections::BTreeMap;

use super::create::CreateOptions;
use super::model::{HostConfig, LogConfig, MountPoint};
use super::run_options::{self, PullPolicy};
use super::{devices, dns_config, log_config, namespaces_mode, sysctls, ulimits};
use crate::error::{Error, Result};
use crate::Engine;

/// What the newer flags put into the records.
#[derive(Debug, Default)]
pub struct HostExtras {
    pub ulimits: Vec<ulimits::Ulimit>,
    pub devices: Vec<devices::DeviceMapping>,
    pub log_config: LogConfig,
    pub pid_mode: String,
    pub ipc_mode: String,
    pub uts_mode: String,
    pub shm_size: i64,
    pub dns_search: Vec<String>,
    pub dns_options: Vec<String>,
    pub group_add: Vec<String>,
    pub sysctls: BTreeMap<String, String>,
    pub oom_kill_disable: bool,
    pub oom_score_adj: i64,
    pub volumes_from: Vec<String>,
    /// The mounts `--volumes-from` brings, for destinations the container did not ask
    /// for itself.
    pub inherited_mounts: Vec<MountPoint>,
    pub pull: PullPolicy,
}

impl HostExtras {
    /// Lay these over a host config being made.
    pub fn fill(self, hc: &mut HostConfig) {
        hc.ulimits = self.ulimits;
        hc.devices = self.devices;
        hc.log_config = self.log_config;
        hc.pid_mode = self.pid_mode;
        hc.ipc_mode = self.ipc_mode;
        hc.uts_mode = self.uts_mode;
        hc.shm_size = self.shm_size;
        hc.dns_search = self.dns_search;
        hc.dns_options = self.dns_options;
        hc.group_add = self.group_add;
        hc.sysctls = self.sysctls;
        hc.oom_kill_disable = self.oom_kill_disable;
        hc.oom_score_adj = self.oom_score_adj;
        hc.volumes_from = self.volumes_from;
    }
}

impl Engine {
    /// Check the newer flags of `o` (on network mode `network`).
    pub(crate) fn check_host_extras(&self, o: &CreateOptions, network: &str) -> Result<HostExtras> {
        let store = self.containers();
        let pull = match &o.pull {
            Some(p) => PullPolicy::parse(p)?,
            None => PullPolicy::Missing,
        };
        if let Some(p) = &o.platform {
            run_options::check_platform(p)?;
        }
        let pid_mode = o.pid.clone().unwrap_or_default();
        namespaces_mode::check_pid(&store, &pid_mode)?;
        let ipc_mode = namespaces_mode::check_ipc(&store, o.ipc.as_deref().unwrap_or(""))?;
        let uts_mode = o.uts.clone().unwrap_or_default();
        namespaces_mode::check_uts(&uts_mode, o.hostname.is_some())?;
        let shm_size = match o.shm_size {
            Some(s) if s <= 0 => {
                return Err(Error::flag(
                    "--shm-size",
                    s.to_string(),
                    "must be greater than 0",
                ))
            }
            Some(s) => s,
            None => namespaces_mode::DEFAULT_SHM_SIZE,
        };
        dns_config::check_search(&o.dns_search)?;
        dns_config::check_options(&o.dns_options)?;
        run_options::check_groups(&o.group_add)?;
        let oom_score_adj = o.oom_score_adj.unwrap_or(0);
        run_options::check_oom_score_adj(oom_score_adj)?;
        if let Some(d) = &o.domainname {
            run_options::check_domainname(d)?;
        }
        let mut inherited_mounts = Vec::new();
        for v in &o.volumes_from {
            inherited_mounts.extend(run_options::volumes_from(&store, v)?);
        }
        Ok(HostExtras {
            ulimits: ulimits::parse_all(&o.ulimits)?,
            devices: devices::parse_all(&o.devices)?,
            log_config: log_config::parse(o.log_driver.as_deref(), &o.log_opts)?,
            sysctls: sysctls::parse_all(&o.sysctls, network, &ipc_mode)?,
            pid_mode,
            ipc_mode,
            uts_mode,
            shm_size,
            dns_search: o.dns_search.clone(),
            dns_options: o.dns_options.clone(),
            group_add: o.group_add.clone(),
            oom_kill_disable: o.oom_kill_disable,
            oom_score_adj,
            volumes_from: o.volumes_from.clone(),
            inherited_mounts,
            pull,
        })
    }
}

/// `--pull` against what the store has, once the client has pulled what the policy
/// asked for: only `never` with no image here is refused, in Docker's words.
pub fn pull_refusal(pull: PullPolicy, image: &str, found: bool) -> Option<Error> {
    match (pull, found) {
        (PullPolicy::Never, false) => Some(Error::not_found("image", image.to_string())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_policies_against_the_store() {
        assert!(pull_refusal(PullPolicy::Always, "web:1", true).is_none());
        assert!(pull_refusal(PullPolicy::Always, "web:1", false).is_none());
        assert!(pull_refusal(PullPolicy::Missing, "web:1", false).is_none());
        let never = pull_refusal(PullPolicy::Never, "web:1", false)
            .unwrap()
            .to_string();
        assert_eq!(never, "No such image: web:1");
        assert!(pull_refusal(PullPolicy::Never, "web:1", true).is_none());
        assert!(pull_refusal(PullPolicy::Missing, "web:1", true).is_none());
    }
}
