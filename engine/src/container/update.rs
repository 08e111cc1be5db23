//! `update`: change a container's limits and restart policy, running or stopped.
//!
//! Order matters for crash safety: everything is checked first (Docker's conflict rules
//! against what the record already holds, then the merged limits as a whole), then a
//! live container's cgroup files are written, and only then is the record replaced
//! atomically. A failed write puts the old values back, so the cgroup and the record
//! never disagree about a limit; a crash between the two leaves the old record, which
//! the next start applies again.

use super::model::{HostConfig, RestartPolicy};
use super::Container;
use crate::cgroups::{self, Machine, Resources};
use crate::error::{Error, Result};
use crate::store::FileLock;
use crate::Engine;

/// What `update` was asked to change; `None` leaves a setting as it is. Values use
/// Docker's API units (bytes, nano CPUs, microseconds).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct UpdateOptions {
    pub memory: Option<i64>,
    pub memory_swap: Option<i64>,
    pub memory_reservation: Option<i64>,
    pub nano_cpus: Option<i64>,
    pub cpu_shares: Option<i64>,
    pub cpu_period: Option<i64>,
    pub cpu_quota: Option<i64>,
    pub cpuset_cpus: Option<String>,
    pub cpuset_mems: Option<String>,
    pub pids_limit: Option<i64>,
    pub restart: Option<RestartPolicy>,
}

impl UpdateOptions {
    /// Only the limits that were asked for, as the cgroup manager takes them.
    fn requested(&self) -> Resources {
        Resources {
            memory: self.memory,
            memory_swap: self.memory_swap,
            memory_reservation: self.memory_reservation,
            nano_cpus: self.nano_cpus,
            cpu_shares: self.cpu_shares.map(|s| s.max(0) as u64),
            cpu_period: self.cpu_period,
            cpu_quota: self.cpu_quota,
            pids_limit: super::limits::pids_limit(self.pids_limit, true),
            cpuset_cpus: self.cpuset_cpus.clone(),
            cpuset_mems: self.cpuset_mems.clone(),
            ..Default::default()
        }
    }
}

/// The conflicts Docker's daemon checks between an update and the container as it is,
/// in its words; then the new host config.
pub fn updated(hc: &HostConfig, o: &UpdateOptions) -> Result<HostConfig> {
    let given = |v: Option<i64>| v.is_some_and(|v| v > 0);
    let conflict = |m: &str| Err(Error::Conflict(format!("Conflicting options: {m}")));
    if given(o.nano_cpus) && hc.cpu_period > 0 {
        return conflict("Nano CPUs cannot be updated as CPU Period has already been set");
    }
    if given(o.nano_cpus) && hc.cpu_quota > 0 {
        return conflict("Nano CPUs cannot be updated as CPU Quota has already been set");
    }
    if given(o.cpu_period) && hc.nano_cpus > 0 {
        return conflict("CPU Period cannot be updated as NanoCPUs has already been set");
    }
    if given(o.cpu_quota) && hc.nano_cpus > 0 {
        return conflict("CPU Quota cannot be updated as NanoCPUs has already been set");
    }
    let mut new = hc.clone();
    if let Some(m) = o.memory.filter(|&m| m != 0) {
        if hc.memory_swap > 0 && m > hc.memory_swap && o.memory_swap.unwrap_or(0) == 0 {
            return Err(Error::Conflict(
                "Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time".into(),
            ));
        }
        new.memory = m;
    }
    let set = |dst: &mut i64, v: Option<i64>| {
        if let Some(v) = v.filter(|&v| v != 0) {
            *dst = v;
        }
    };
    set(&mut new.memory_swap, o.memory_swap);
    set(&mut new.memory_reservation, o.memory_reservation);
    set(&mut new.nano_cpus, o.nano_cpus);
    set(&mut new.cpu_shares, o.cpu_shares);
    set(&mut new.cpu_period, o.cpu_period);
    set(&mut new.cpu_quota, o.cpu_quota);
    if let Some(p) = super::limits::pids_limit(o.pids_limit, true) {
        new.pids_limit = Some(p);
    }
    if let Some(c) = o.cpuset_cpus.as_ref().filter(|c| !c.is_empty()) {
        new.cpuset_cpus = c.clone();
    }
    if let Some(m) = o.cpuset_mems.as_ref().filter(|m| !m.is_empty()) {
        new.cpuset_mems = m.clone();
    }
    if let Some(r) = &o.restart {
        if hc.auto_remove && r.name != "no" {
            return Err(Error::Conflict(
                "Restart policy cannot be updated because AutoRemove is enabled for the container"
                    .into(),
            ));
        }
        new.restart_policy = r.clone();
    }
    Ok(new)
}

/// The old values of the limits `req` sets, to put back after a failed write. A limit
/// that was unset goes back to unlimited where the kernel has a word for it.
fn previous(old: &Resources, req: &Resources) -> Resources {
    let back = |asked: &Option<i64>, was: Option<i64>, unlimited: Option<i64>| {
        asked.and(was.or(unlimited))
    };
    Resources {
        memory: back(&req.memory, old.memory, Some(-1)),
        memory_swap: back(&req.memory_swap, old.memory_swap, Some(-1)),
        memory_reservation: back(&req.memory_reservation, old.memory_reservation, Some(-1)),
        nano_cpus: back(&req.nano_cpus, old.nano_cpus, None),
        cpu_shares: req.cpu_shares.and(old.cpu_shares.or(Some(1024))),
        cpu_period: back(&req.cpu_period, old.cpu_period, Some(100_000)),
        cpu_quota: back(&req.cpu_quota, old.cpu_quota, Some(-1)),
        pids_limit: back(&req.pids_limit, old.pids_limit, Some(-1)),
        cpuset_cpus: req.cpuset_cpus.as_ref().and(old.cpuset_cpus.clone()),
        cpuset_mems: req.cpuset_mems.as_ref().and(old.cpuset_mems.clone()),
        ..Default::default()
    }
}

impl Engine {
    /// `update`: check, write a live container's cgroup, then replace the record.
    pub fn update(&self, c: &Container, o: &UpdateOptions) -> Result<()> {
        // The global lock orders this record rewrite with rename's.
        let _lock = FileLock::exclusive(&self.paths.global_lock())?;
        let cur = self.containers().load(c.id())?;
        let cannot = |e: Error| match e {
            Error::Conflict(m) => {
                Error::Conflict(format!("Cannot update container {}: {m}", cur.record.id))
            }
            other => other,
        };
        let hc = updated(&cur.record.host_config, o).map_err(cannot)?;
        let machine = Machine::probe();
        super::limits::check_host_config(&hc, &machine, true)?;
        let req = o.requested();
        if cur.state.status.is_live() {
            let cg = cgroups::open(&self.config.cgroup_root, &hc.cgroup_parent, c.id())?;
            if let Err(e) = cg.update(&req) {
                // Put back what may have been written before the failure.
                let _ = cg.update(&previous(&cur.record.host_config.resources(), &req));
                return Err(Error::Runtime(format!(
                    "Cannot update container {}: {e}",
                    cur.record.id
                )));
            }
        }
        let mut rec = cur.record;
        rec.host_config = hc;
        self.containers().save_record(&rec)?;
        crate::events::container_event(&self.paths, &rec, "update", &[]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limited() -> HostConfig {
        HostConfig {
            memory: 64 << 20,
            memory_swap: 128 << 20,
            nano_cpus: 1_000_000_000,
            ..Default::default()
        }
    }

    #[test]
    fn only_what_was_given_changes() {
        let o = UpdateOptions {
            memory: Some(100 << 20),
            pids_limit: Some(50),
            restart: Some(RestartPolicy::parse("on-failure:3").expect("valid")),
            ..Default::default()
        };
        let new = updated(&limited(), &o).expect("allowed");
        assert_eq!(new.memory, 100 << 20);
        assert_eq!(new.memory_swap, 128 << 20);
        assert_eq!(new.nano_cpus, 1_000_000_000);
        assert_eq!(new.pids_limit, Some(50));
        assert_eq!(new.restart_policy.name, "on-failure");
        assert_eq!(new.restart_policy.maximum_retry_count, 3);
    }

    #[test]
    fn dockers_conflicts_are_refused_in_its_words() {
        let err = |o: UpdateOptions, hc: &HostConfig| match updated(hc, &o) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{o:?} should be refused"),
        };
        assert_eq!(
            err(
                UpdateOptions {
                    cpu_period: Some(50_000),
                    ..Default::default()
                },
                &limited()
            ),
            "Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set"
        );
        assert_eq!(
            err(
                UpdateOptions {
                    memory: Some(256 << 20),
                    ..Default::default()
                },
                &limited()
            ),
            "Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time"
        );
        let rm = HostConfig {
            auto_remove: true,
            ..Default::default()
        };
        assert_eq!(
            err(
                UpdateOptions {
                    restart: Some(RestartPolicy::parse("always").expect("valid")),
                    ..Default::default()
                },
                &rm
            ),
            "Restart policy cannot be updated because AutoRemove is enabled for the container"
        );
        // "no" is allowed on an --rm container.
        let no = UpdateOptions {
            restart: Some(RestartPolicy::parse("no").expect("valid")),
            ..Default::default()
        };
        assert!(updated(&rm, &no).is_ok());
    }

    #[test]
    fn a_failed_write_restores_the_old_values_or_unlimited() {
        let old = limited().resources();
        let req = UpdateOptions {
            memory: Some(100 << 20),
            pids_limit: Some(10),
            ..Default::default()
        }
        .requested();
        let back = previous(&old, &req);
        assert_eq!(back.memory, Some(64 << 20));
        assert_eq!(back.pids_limit, Some(-1));
        assert_eq!(back.nano_cpus, None, "not asked for, not touched");
        assert_eq!(back.memory_swap, None);
    }
}
