//! `service update`'s flags on a service's spec, as Docker's `updateService` applies
//! them: only what a flag names changes; `--*-add`/`--*-rm` edit lists and maps;
//! `--force` bumps `ForceUpdate` so every task is replaced even when nothing else
//! changed.

use std::collections::BTreeMap;

use bollard::models as m;
use clap::Args;

use super::service_create::{effective_caps, make_env, resolve_configs, resolve_secrets, Lookup};
use super::service_flags::{
    kv_map, rollback_config, shell_words, update_config, ServiceFlags, Words,
};
use super::service_opts::{config, mount, network, publish, secret, Ports};
use super::tagged_image;
use crate::cli::Failure;

#[derive(Args, Debug, Default, Clone)]
pub struct UpdateArgs {
    #[command(flatten)]
    pub flags: ServiceFlags,
    /// Service image tag
    #[arg(long)]
    pub image: Option<String>,
    /// Service command args
    #[arg(long, value_parser = shell_words, allow_hyphen_values = true)]
    pub args: Option<Words>,
    /// Rollback to previous specification
    #[arg(long)]
    pub rollback: bool,
    /// Force update even if no changes require it
    #[arg(long)]
    pub force: bool,
    /// Add or update an environment variable
    #[arg(long = "env-add")]
    pub env_add: Vec<String>,
    /// Remove an environment variable
    #[arg(long = "env-rm")]
    pub env_rm: Vec<String>,
    /// Add or update a service label
    #[arg(long = "label-add")]
    pub label_add: Vec<String>,
    /// Remove a label by its key
    #[arg(long = "label-rm")]
    pub label_rm: Vec<String>,
    /// Add or update a container label
    #[arg(long = "container-label-add")]
    pub container_label_add: Vec<String>,
    /// Remove a container label by its key
    #[arg(long = "container-label-rm")]
    pub container_label_rm: Vec<String>,
    /// Add or update a mount on a service
    #[arg(long = "mount-add", value_parser = mount)]
    pub mount_add: Vec<m::Mount>,
    /// Remove a mount by its target path
    #[arg(long = "mount-rm")]
    pub mount_rm: Vec<String>,
    /// Add or update a published port
    #[arg(long = "publish-add", value_parser = publish)]
    pub publish_add: Vec<Ports>,
    /// Remove a published port by its target port
    #[arg(long = "publish-rm", value_parser = publish)]
    pub publish_rm: Vec<Ports>,
    /// Add or update a placement constraint
    #[arg(long = "constraint-add")]
    pub constraint_add: Vec<String>,
    /// Remove a constraint
    #[arg(long = "constraint-rm")]
    pub constraint_rm: Vec<String>,
    /// Add or update a secret on a service
    #[arg(long = "secret-add", value_parser = secret)]
    pub secret_add: Vec<m::TaskSpecContainerSpecSecrets>,
    /// Remove a secret
    #[arg(long = "secret-rm")]
    pub secret_rm: Vec<String>,
    /// Add or update a config file on a service
    #[arg(long = "config-add", value_parser = config)]
    pub config_add: Vec<m::TaskSpecContainerSpecConfigs>,
    /// Remove a configuration file
    #[arg(long = "config-rm")]
    pub config_rm: Vec<String>,
    /// Add a network
    #[arg(long = "network-add", value_parser = network)]
    pub network_add: Vec<m::NetworkAttachmentConfig>,
    /// Remove a network
    #[arg(long = "network-rm")]
    pub network_rm: Vec<String>,
    /// Use an init inside each service container to forward signals and reap processes
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub init: Option<bool>,
    pub service: String,
}

impl UpdateArgs {
    /// Whether anything but `--rollback`, `-d` and `-q` was given (Docker refuses
    /// other flags with `--rollback`).
    pub fn more_than_rollback(&self) -> bool {
        let mut probe = self.clone();
        probe.rollback = false;
        probe.flags.detach = false;
        probe.flags.quiet = false;
        probe.service = String::new();
        format!("{probe:?}") != format!("{:?}", UpdateArgs::default())
    }

    /// The flags on `spec`, networks, secrets and configs looked up by name.
    pub fn apply(&self, spec: &mut m::ServiceSpec, lookup: &dyn Lookup) -> Result<(), Failure> {
        let f = &self.flags;
        edit_map(&mut spec.labels, &self.label_add, &self.label_rm);
        let task = spec.task_template.get_or_insert_with(Default::default);
        let c = task.container_spec.get_or_insert_with(Default::default);
        edit_map(
            &mut c.labels,
            &self.container_label_add,
            &self.container_label_rm,
        );
        if let Some(image) = &self.image {
            c.image = Some(image.clone());
        }
        if let Some(image) = c.image.as_deref().filter(|i| !i.is_empty()) {
            c.image = Some(tagged_image(image));
        }
        if let Some(args) = &self.args {
            c.args = Some(args.0.clone()).filter(|a| !a.is_empty());
        }
        if let Some(ep) = &f.entrypoint {
            c.command = Some(ep.0.clone()).filter(|a| !a.is_empty());
        }
        c.env = update_env(c.env.take(), &self.env_add, &self.env_rm)?;
        set_string(&mut c.dir, &f.workdir);
        set_string(&mut c.user, &f.user);
        set_string(&mut c.hostname, &f.hostname);
        if let Some(init) = self.init {
            c.init = Some(init);
        }
        if let Some(i) = &f.isolation {
            c.isolation = i.parse().ok();
        }
        c.mounts = update_mounts(c.mounts.take(), &self.mount_add, &self.mount_rm)?;
        let resources = &mut task.resources;
        if f.limit_cpu.is_some() || f.limit_memory.is_some() || f.limit_pids.is_some() {
            let limits = resources
                .get_or_insert_with(Default::default)
                .limits
                .get_or_insert_with(Default::default);
            set_num(&mut limits.nano_cpus, f.limit_cpu);
            set_num(&mut limits.memory_bytes, f.limit_memory);
            set_num(&mut limits.pids, f.limit_pids);
        }
        if f.reserve_cpu.is_some() || f.reserve_memory.is_some() {
            let res = resources
                .get_or_insert_with(Default::default)
                .reservations
                .get_or_insert_with(Default::default);
            set_num(&mut res.nano_cpus, f.reserve_cpu);
            set_num(&mut res.memory_bytes, f.reserve_memory);
        }
        if let Some(g) = f.stop_grace_period {
            c.stop_grace_period = Some(g);
        }
        task.restart_policy = f.restart_policy(task.restart_policy.take());
        if !self.constraint_add.is_empty() || !self.constraint_rm.is_empty() {
            let p = task.placement.get_or_insert_with(Default::default);
            let mut list = p.constraints.take().unwrap_or_default();
            list.extend(self.constraint_add.iter().cloned());
            list.retain(|x| !self.constraint_rm.contains(x));
            list.sort();
            p.constraints = Some(list);
        }
        if !self.network_add.is_empty() || !self.network_rm.is_empty() {
            // The task template's list wins over the service's older one.
            let mut list = task
                .networks
                .take()
                .filter(|n| !n.is_empty())
                .or_else(|| spec.networks.take())
                .unwrap_or_default();
            let gone: Vec<String> = self
                .network_rm
                .iter()
                .map(|n| lookup.network_id(n).unwrap_or_else(|| n.clone()))
                .collect();
            list.retain(|n| !gone.contains(n.target.as_ref().unwrap_or(&String::new())));
            for n in &self.network_add {
                let mut n = n.clone();
                let target = n.target.clone().unwrap_or_default();
                n.target = Some(lookup.network_id(&target).unwrap_or(target));
                if list.iter().any(|x| x.target == n.target) {
                    return Err(format!(
                        "service is already attached to network {}",
                        n.target.unwrap_or_default()
                    )
                    .into());
                }
                list.push(n);
            }
            list.sort_by(|a, b| a.target.cmp(&b.target));
            task.networks = Some(list);
        }
        if let Some(n) = f.replicas {
            match spec.mode.as_mut().and_then(|m| m.replicated.as_mut()) {
                Some(r) => r.replicas = Some(n as i64),
                None => return Err("replicas can only be used with replicated mode".into()),
            }
        }
        if let Some(n) = f.replicas_max_per_node {
            task.placement
                .get_or_insert_with(Default::default)
                .max_replicas = (n > 0).then_some(n as i64);
        }
        spec.update_config = update_config(spec.update_config.take(), &f.update.policy());
        spec.rollback_config = rollback_config(spec.rollback_config.take(), &f.rollback.policy());
        if let Some(mode) = f.endpoint_mode {
            spec.endpoint_spec.get_or_insert_with(Default::default).mode = Some(mode);
        }
        if !self.publish_add.is_empty() || !self.publish_rm.is_empty() {
            let ep = spec.endpoint_spec.get_or_insert_with(Default::default);
            ep.ports = Some(update_ports(
                ep.ports.take().unwrap_or_default(),
                &self.publish_add,
                &self.publish_rm,
            ));
        }
        if let Some(ld) = f.log_driver() {
            task.log_driver = Some(ld);
        }
        if self.force {
            task.force_update = Some(task.force_update.unwrap_or(0) + 1);
        }
        c.health_check = f
            .update_health(c.health_check.take())
            .map_err(Failure::from)?;
        if let Some(t) = f.tty {
            c.tty = t.then_some(true);
        }
        if let Some(r) = f.read_only {
            c.read_only = r.then_some(true);
        }
        set_string(&mut c.stop_signal, &f.stop_signal);
        if !f.cap_add.is_empty() || !f.cap_drop.is_empty() {
            let (add, drop) = effective_caps(&f.cap_add, &f.cap_drop);
            let mut have_add = c.capability_add.take().unwrap_or_default();
            let mut have_drop = c.capability_drop.take().unwrap_or_default();
            have_add.retain(|x| !drop.contains(x));
            have_drop.retain(|x| !add.contains(x));
            have_add.extend(add);
            have_drop.extend(drop);
            let (add, drop) = effective_caps(&have_add, &have_drop);
            c.capability_add = Some(add).filter(|v| !v.is_empty());
            c.capability_drop = Some(drop).filter(|v| !v.is_empty());
        }
        let mut secrets = c.secrets.take().unwrap_or_default();
        secrets.retain(|s| {
            !self
                .secret_rm
                .contains(s.secret_name.as_ref().unwrap_or(&String::new()))
        });
        secrets.extend(resolve_secrets(&self.secret_add, lookup)?);
        c.secrets = Some(secrets).filter(|v| !v.is_empty());
        let mut configs = c.configs.take().unwrap_or_default();
        configs.retain(|s| {
            !self
                .config_rm
                .contains(s.config_name.as_ref().unwrap_or(&String::new()))
        });
        configs.extend(resolve_configs(&self.config_add, lookup)?);
        c.configs = Some(configs).filter(|v| !v.is_empty());
        Ok(())
    }
}

fn set_string(field: &mut Option<String>, v: &Option<String>) {
    if let Some(v) = v {
        *field = Some(v.clone()).filter(|s| !s.is_empty());
    }
}

fn set_num(field: &mut Option<i64>, v: Option<i64>) {
    if let Some(v) = v {
        *field = (v != 0).then_some(v);
    }
}

/// `--X-rm KEY` then `--X-add KEY=VALUE` on a map (Docker removes before adding).
fn edit_map(
    map: &mut Option<std::collections::HashMap<String, String>>,
    add: &[String],
    rm: &[String],
) {
    if let Some(m) = map.as_mut() {
        for k in rm {
            m.remove(k);
        }
    }
    if !add.is_empty() {
        map.get_or_insert_with(Default::default).extend(kv_map(add));
    }
}

/// `--env-rm KEY`, then `--env-add KEY=VALUE`: a variable already set keeps its place
/// with the new value, a new one goes at the end. (Docker's client rebuilds the list
/// from a map, in no particular order; this keeps it stable.)
fn update_env(
    env: Option<Vec<String>>,
    add: &[String],
    rm: &[String],
) -> Result<Option<Vec<String>>, Failure> {
    if add.is_empty() && rm.is_empty() {
        return Ok(env);
    }
    let key = |e: &str| e.split_once('=').map_or(e, |(k, _)| k).to_string();
    let mut list: Vec<String> = env
        .unwrap_or_default()
        .into_iter()
        .filter(|e| !rm.contains(&key(e)))
        .collect();
    for e in make_env(&[], add)? {
        match list.iter_mut().find(|x| key(x) == key(&e)) {
            Some(x) => *x = e,
            None => list.push(e),
        }
    }
    Ok(Some(list))
}

/// Docker's `updateMounts`: added mounts by target replace existing ones, `--mount-rm`
/// takes targets away, the result ordered by source then target.
fn update_mounts(
    mounts: Option<Vec<m::Mount>>,
    add: &[m::Mount],
    rm: &[String],
) -> Result<Option<Vec<m::Mount>>, Failure> {
    if add.is_empty() && rm.is_empty() {
        return Ok(mounts);
    }
    let mut by_target: BTreeMap<String, m::Mount> = BTreeMap::new();
    for mt in add {
        let t = mt.target.clone().unwrap_or_default();
        if by_target.insert(t, mt.clone()).is_some() {
            return Err("duplicate mount target".into());
        }
    }
    for mt in mounts.unwrap_or_default() {
        by_target
            .entry(mt.target.clone().unwrap_or_default())
            .or_insert(mt);
    }
    let mut list: Vec<m::Mount> = by_target
        .into_iter()
        .filter(|(t, _)| !rm.contains(t))
        .map(|(_, mt)| mt)
        .collect();
    list.sort_by(|a, b| {
        (a.source.as_deref(), a.target.as_deref()).cmp(&(b.source.as_deref(), b.target.as_deref()))
    });
    Ok(Some(list))
}

/// A published port's key in Docker's `updatePorts` (`4000:80/tcp/ingress`).
fn port_key(p: &m::EndpointPortConfig) -> String {
    format!(
        "{}:{}/{}/{}",
        p.published_port.unwrap_or(0),
        p.target_port.unwrap_or(0),
        p.protocol.map(|x| x.to_string()).unwrap_or_default(),
        p.publish_mode.map(|x| x.to_string()).unwrap_or_default()
    )
}

/// Docker's `updatePorts`: `--publish-rm` takes ports away by target port (and
/// protocol and mode), `--publish-add` adds the new ones, sorted by key.
fn update_ports(
    ports: Vec<m::EndpointPortConfig>,
    add: &[Ports],
    rm: &[Ports],
) -> Vec<m::EndpointPortConfig> {
    let proto = |p: &m::EndpointPortConfig| {
        p.protocol
            .map(|x| x.to_string())
            .filter(|x| !x.is_empty())
            .unwrap_or_else(|| "tcp".into())
    };
    let mode = |p: &m::EndpointPortConfig| {
        p.publish_mode
            .map(|x| x.to_string())
            .filter(|x| !x.is_empty())
            .unwrap_or_else(|| "ingress".into())
    };
    let mut set: BTreeMap<String, m::EndpointPortConfig> = BTreeMap::new();
    for p in ports {
        set.entry(port_key(&p)).or_insert(p);
    }
    let removed: Vec<&m::EndpointPortConfig> = rm.iter().flat_map(|r| r.0.iter()).collect();
    let mut out: Vec<m::EndpointPortConfig> = set
        .values()
        .filter(|p| {
            !removed.iter().any(|r| {
                proto(p) == proto(r) && p.target_port == r.target_port && mode(p) == mode(r)
            })
        })
        .cloned()
        .collect();
    for p in add.iter().flat_map(|a| a.0.iter()) {
        if !set.contains_key(&port_key(p)) {
            out.push(p.clone());
        }
    }
    out.sort_by_key(port_key);
    out
}
