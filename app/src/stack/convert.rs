//! A compose project as a stack, as `docker stack deploy` converts it on the client:
//! every name scoped `STACK_NAME`, every object labelled `com.docker.stack.namespace`,
//! services from `deploy:` (mode and replicas, resources, restart policy, update and
//! rollback, placement, endpoint mode, labels), networks overlay by default with
//! `STACK_default` for services that name none, and what a swarm ignores (`build`,
//! `container_name`, `depends_on`, ...) said in Docker's warning.

use std::collections::HashMap;

use bollard::models as m;

use crate::compose::model::{self, Project, Service};

pub const NAMESPACE: &str = "com.docker.stack.namespace";
pub const IMAGE: &str = "com.docker.stack.image";

/// What a deploy makes: the objects in the order they are needed.
#[derive(Debug, Default)]
pub struct Plan {
    /// Networks the stack owns (created when missing), by full name.
    pub networks: Vec<(String, m::NetworkCreateRequest)>,
    /// Networks it uses and must find (external).
    pub external_networks: Vec<String>,
    pub secrets: Vec<m::SecretSpec>,
    pub configs: Vec<m::ConfigSpec>,
    pub services: Vec<m::ServiceSpec>,
    /// Docker's `Ignoring unsupported options: ...` and the like.
    pub warnings: Vec<String>,
}

fn scoped(stack: &str, name: &str) -> String {
    format!("{stack}_{name}")
}

fn ns_labels(
    stack: &str,
    extra: &std::collections::BTreeMap<String, String>,
) -> HashMap<String, String> {
    let mut l: HashMap<String, String> = extra.clone().into_iter().collect();
    l.insert(NAMESPACE.into(), stack.into());
    l
}

fn nanos(d: Option<model::Duration>) -> Option<i64> {
    d.map(|d| d.nanos())
}

fn cpus(c: Option<f32>) -> Option<i64> {
    c.and_then(crate::compose::container_spec::host::nano_cpus)
}

/// The network a service's key names, as the stack calls it.
fn network_name(stack: &str, p: &Project, key: &str) -> String {
    match p.networks.get(key) {
        Some(n) if n.external => n.name.clone().unwrap_or_else(|| key.to_string()),
        Some(n) => n.name.clone().unwrap_or_else(|| scoped(stack, key)),
        None => scoped(stack, key),
    }
}

/// The options a swarm does not apply, by their compose names (Docker's list).
fn unsupported(s: &Service) -> Vec<&'static str> {
    let mut out = Vec::new();
    if s.build.is_some() {
        out.push("build");
    }
    if s.container_name.is_some() {
        out.push("container_name");
    }
    if !s.cap_add.is_empty() || !s.cap_drop.is_empty() {
        // Docker's CLI passes these on since API 1.41; kept, no warning.
    }
    if !s.devices.is_empty() {
        out.push("devices");
    }
    if !s.links.is_empty() {
        out.push("links");
    }
    if s.network_mode.is_some() {
        out.push("network_mode");
    }
    if s.privileged {
        out.push("privileged");
    }
    if s.restart.is_some() {
        out.push("restart");
    }
    if !s.security_opt.is_empty() {
        out.push("security_opt");
    }
    out
}

fn update_config(u: &model::UpdateConfig) -> m::ServiceSpecUpdateConfig {
    use m::ServiceSpecUpdateConfigFailureActionEnum as F;
    use m::ServiceSpecUpdateConfigOrderEnum as O;
    m::ServiceSpecUpdateConfig {
        parallelism: u.parallelism.map(|p| p as i64).or(Some(1)),
        delay: nanos(u.delay),
        failure_action: u.failure_action.as_deref().map(|a| match a {
            "continue" => F::CONTINUE,
            "rollback" => F::ROLLBACK,
            _ => F::PAUSE,
        }),
        monitor: nanos(u.monitor),
        max_failure_ratio: u.max_failure_ratio.map(f64::from),
        order: u.order.as_deref().map(|o| match o {
            "start-first" => O::START_FIRST,
            _ => O::STOP_FIRST,
        }),
    }
}

fn rollback_config(u: &model::UpdateConfig) -> m::ServiceSpecRollbackConfig {
    let c = update_config(u);
    use m::ServiceSpecRollbackConfigFailureActionEnum as F;
    use m::ServiceSpecRollbackConfigOrderEnum as O;
    m::ServiceSpecRollbackConfig {
        parallelism: c.parallelism,
        delay: c.delay,
        failure_action: u.failure_action.as_deref().map(|a| match a {
            "continue" => F::CONTINUE,
            _ => F::PAUSE,
        }),
        monitor: c.monitor,
        max_failure_ratio: c.max_failure_ratio,
        order: u.order.as_deref().map(|o| match o {
            "start-first" => O::START_FIRST,
            _ => O::STOP_FIRST,
        }),
    }
}

fn resources(d: &model::Deploy) -> m::TaskSpecResources {
    let r = &d.resources;
    m::TaskSpecResources {
        limits: r.limits.as_ref().map(|l| m::Limit {
            nano_cpus: cpus(l.cpus),
            memory_bytes: l.memory.map(|b| b.0),
            pids: l.pids,
        }),
        reservations: r.reservations.as_ref().map(|l| m::ResourceObject {
            nano_cpus: cpus(l.cpus),
            memory_bytes: l.memory.map(|b| b.0),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn restart_policy(r: &model::RestartPolicy) -> m::TaskSpecRestartPolicy {
    use m::TaskSpecRestartPolicyConditionEnum as C;
    m::TaskSpecRestartPolicy {
        condition: Some(match r.condition.as_deref() {
            Some("none") => C::NONE,
            Some("on-failure") => C::ON_FAILURE,
            _ => C::ANY,
        }),
        delay: nanos(r.delay),
        max_attempts: r.max_attempts.map(|n| n as i64),
        window: nanos(r.window),
    }
}

fn ports(s: &Service) -> Vec<m::EndpointPortConfig> {
    use m::EndpointPortConfigProtocolEnum as P;
    use m::EndpointPortConfigPublishModeEnum as Mode;
    s.ports
        .iter()
        .map(|p| m::EndpointPortConfig {
            name: p.name.clone(),
            protocol: Some(match p.protocol_or_default() {
                "udp" => P::UDP,
                "sctp" => P::SCTP,
                _ => P::TCP,
            }),
            target_port: p.target.map(i64::from),
            // A range publishes its first port (a swarm publishes one port per target).
            published_port: p
                .published
                .as_deref()
                .and_then(|s| s.split('-').next())
                .and_then(|n| n.parse().ok()),
            publish_mode: Some(if p.mode.as_deref() == Some("host") {
                Mode::HOST
            } else {
                Mode::INGRESS
            }),
        })
        .collect()
}

fn file_refs<T>(
    stack: &str,
    refs: &[model::FileReference],
    external: impl Fn(&str) -> Option<String>,
    make: impl Fn(String, Option<String>, Option<String>, Option<String>, Option<u32>) -> T,
) -> Vec<T> {
    refs.iter()
        .map(|r| {
            let key = r.source.clone().unwrap_or_default();
            let name = external(&key).unwrap_or_else(|| scoped(stack, &key));
            make(
                name,
                r.target.clone().or(Some(key)),
                r.uid.clone(),
                r.gid.clone(),
                r.mode.map(|m| m.0),
            )
        })
        .collect()
}

fn service(stack: &str, p: &Project, key: &str, s: &Service) -> Result<m::ServiceSpec, String> {
    let image = s
        .image
        .clone()
        .ok_or_else(|| format!("service {key}: a stack needs an image (build is not used)"))?;
    let deploy = s.deploy.clone().unwrap_or_default();
    let mut container_labels = ns_labels(stack, &s.labels);
    container_labels.remove(IMAGE);
    let words = |c: &Option<model::ShellCommand>| -> Result<Option<Vec<String>>, String> {
        c.as_ref()
            .map(|c| c.to_vec().map_err(|e| format!("service {key}: {e}")))
            .transpose()
    };
    let mounts = s
        .volumes
        .iter()
        .filter_map(|v| {
            let typ = match v.kind {
                model::MountType::Bind => m::MountType::BIND,
                model::MountType::Volume => m::MountType::VOLUME,
                model::MountType::Tmpfs => m::MountType::TMPFS,
                _ => return None,
            };
            let source = match (&v.kind, &v.source) {
                (model::MountType::Volume, Some(src)) => Some(match p.volumes.get(src) {
                    Some(vol) if vol.external => vol.name.clone().unwrap_or_else(|| src.clone()),
                    Some(vol) => vol.name.clone().unwrap_or_else(|| scoped(stack, src)),
                    None => scoped(stack, src),
                }),
                (_, src) => src.clone(),
            };
            Some(m::Mount {
                typ: Some(typ),
                source,
                target: v.target.clone(),
                read_only: Some(v.read_only).filter(|r| *r),
                ..Default::default()
            })
        })
        .collect::<Vec<_>>();
    let secrets = file_refs(
        stack,
        &s.secrets,
        |k| {
            p.secrets
                .get(k)
                .filter(|x| x.external)
                .map(|x| x.name.clone().unwrap_or_else(|| k.to_string()))
        },
        |name, target, uid, gid, mode| m::TaskSpecContainerSpecSecrets {
            secret_name: Some(name),
            file: Some(m::TaskSpecContainerSpecFile {
                name: target,
                uid: uid.or(Some("0".into())),
                gid: gid.or(Some("0".into())),
                mode: mode.or(Some(0o444)),
            }),
            secret_id: None,
        },
    );
    let configs = file_refs(
        stack,
        &s.configs,
        |k| {
            p.configs
                .get(k)
                .filter(|x| x.external)
                .map(|x| x.name.clone().unwrap_or_else(|| k.to_string()))
        },
        |name, target, uid, gid, mode| m::TaskSpecContainerSpecConfigs {
            config_name: Some(name),
            file: Some(m::TaskSpecContainerSpecFile1 {
                name: target.map(|t| {
                    if t.starts_with('/') {
                        t
                    } else {
                        format!("/{t}")
                    }
                }),
                uid: uid.or(Some("0".into())),
                gid: gid.or(Some("0".into())),
                mode: mode.or(Some(0o444)),
            }),
            config_id: None,
            runtime: None,
        },
    );
    let nets: Vec<String> = if s.networks.is_empty() {
        vec!["default".into()]
    } else {
        s.networks.keys().cloned().collect()
    };
    let networks = nets
        .iter()
        .map(|n| {
            let mut aliases = vec![key.to_string()];
            if let Some(Some(sn)) = s.networks.get(n) {
                aliases.extend(sn.aliases.iter().cloned());
            }
            m::NetworkAttachmentConfig {
                target: Some(network_name(stack, p, n)),
                aliases: Some(aliases),
                ..Default::default()
            }
        })
        .collect();
    let mode = if deploy.mode.as_deref() == Some("global") {
        m::ServiceSpecMode {
            global: Some(HashMap::new()),
            ..Default::default()
        }
    } else {
        m::ServiceSpecMode {
            replicated: Some(m::ServiceSpecModeReplicated {
                replicas: Some(i64::from(deploy.replicas.or(s.scale).unwrap_or(1))),
            }),
            ..Default::default()
        }
    };
    let mut labels = ns_labels(stack, &deploy.labels);
    labels.insert(IMAGE.into(), image.clone());
    let endpoint_mode = deploy.endpoint_mode.as_deref().map(|e| match e {
        "dnsrr" => m::EndpointSpecModeEnum::DNSRR,
        _ => m::EndpointSpecModeEnum::VIP,
    });
    let ports = ports(s);
    Ok(m::ServiceSpec {
        name: Some(scoped(stack, key)),
        labels: Some(labels),
        task_template: Some(m::TaskSpec {
            container_spec: Some(m::TaskSpecContainerSpec {
                image: Some(image),
                labels: Some(container_labels),
                command: words(&s.entrypoint)?,
                args: words(&s.command)?,
                hostname: s.hostname.clone(),
                env: Some(
                    s.environment
                        .iter()
                        .map(|(k, v)| match v {
                            Some(v) => format!("{k}={v}"),
                            None => k.clone(),
                        })
                        .collect(),
                )
                .filter(|e: &Vec<String>| !e.is_empty()),
                dir: s.working_dir.clone(),
                user: s.user.clone(),
                tty: Some(s.tty).filter(|t| *t),
                open_stdin: Some(s.stdin_open).filter(|t| *t),
                read_only: Some(s.read_only).filter(|t| *t),
                mounts: Some(mounts).filter(|v| !v.is_empty()),
                stop_signal: s.stop_signal.clone(),
                stop_grace_period: nanos(s.stop_grace_period),
                health_check: s
                    .healthcheck
                    .as_ref()
                    .map(crate::compose::container_spec::healthcheck),
                secrets: Some(secrets).filter(|v| !v.is_empty()),
                configs: Some(configs).filter(|v| !v.is_empty()),
                init: s.init,
                capability_add: Some(s.cap_add.clone()).filter(|v| !v.is_empty()),
                capability_drop: Some(s.cap_drop.clone()).filter(|v| !v.is_empty()),
                sysctls: Some(s.sysctls.clone().into_iter().collect::<HashMap<_, _>>())
                    .filter(|v| !v.is_empty()),
                ..Default::default()
            }),
            resources: Some(resources(&deploy)),
            restart_policy: deploy.restart_policy.as_ref().map(restart_policy),
            placement: Some(m::TaskSpecPlacement {
                constraints: Some(deploy.placement.constraints.clone()).filter(|c| !c.is_empty()),
                ..Default::default()
            }),
            networks: Some(networks),
            ..Default::default()
        }),
        mode: Some(mode),
        update_config: deploy.update_config.as_ref().map(update_config),
        rollback_config: deploy.rollback_config.as_ref().map(rollback_config),
        endpoint_spec: Some(m::EndpointSpec {
            mode: endpoint_mode.or(Some(m::EndpointSpecModeEnum::VIP)),
            ports: Some(ports).filter(|p| !p.is_empty()),
        }),
        ..Default::default()
    })
}

/// Read a secret's or config's data from its source (a file, relative paths already
/// made absolute by the loader; an environment variable; inline content).
fn source_data(
    what: &str,
    file: Option<&str>,
    env: Option<&str>,
    content: Option<&str>,
    environment: &std::collections::BTreeMap<String, String>,
) -> Result<String, String> {
    use base64::Engine as _;
    let bytes = match (file, env, content) {
        (Some(f), _, _) => std::fs::read(f).map_err(|e| format!("{what}: cannot read {f}: {e}"))?,
        (_, Some(v), _) => environment
            .get(v)
            .cloned()
            .ok_or_else(|| format!("{what}: environment variable {v} is not set"))?
            .into_bytes(),
        (_, _, Some(c)) => c.as_bytes().to_vec(),
        _ => return Err(format!("{what}: no file, environment or content to read")),
    };
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// The stack `stack` of the project, which must have been loaded with the stack's name
/// as its project name (as `docker stack deploy` loads it), so that the names the
/// loader gives networks, volumes, secrets and configs are the stack's.
pub fn convert(
    stack: &str,
    p: &Project,
    environment: &std::collections::BTreeMap<String, String>,
) -> Result<Plan, String> {
    let mut plan = Plan::default();
    let used: std::collections::BTreeSet<String> = p
        .services
        .values()
        .flat_map(|s| {
            if s.networks.is_empty() {
                vec!["default".to_string()]
            } else {
                s.networks.keys().cloned().collect()
            }
        })
        .collect();
    for key in &used {
        match p.networks.get(key) {
            Some(n) if n.external => plan
                .external_networks
                .push(n.name.clone().unwrap_or_else(|| key.clone())),
            n => {
                let n = n.cloned().unwrap_or_default();
                plan.networks.push((
                    network_name(stack, p, key),
                    m::NetworkCreateRequest {
                        name: network_name(stack, p, key),
                        driver: Some(n.driver.clone().unwrap_or_else(|| "overlay".into())),
                        internal: Some(n.internal),
                        attachable: Some(n.attachable),
                        options: Some(n.driver_opts.clone().into_iter().collect()),
                        labels: Some(ns_labels(stack, &n.labels)),
                        ..Default::default()
                    },
                ));
            }
        }
    }
    for (key, sec) in p.secrets.iter().filter(|(_, s)| !s.external) {
        let data = source_data(
            &format!("secret {key}"),
            sec.file.as_deref(),
            sec.environment.as_deref(),
            None,
            environment,
        )?;
        plan.secrets.push(m::SecretSpec {
            name: Some(sec.name.clone().unwrap_or_else(|| scoped(stack, key))),
            labels: Some(ns_labels(stack, &sec.labels)),
            data: Some(data),
            ..Default::default()
        });
    }
    for (key, cfg) in p.configs.iter().filter(|(_, c)| !c.external) {
        let data = source_data(
            &format!("config {key}"),
            cfg.file.as_deref(),
            cfg.environment.as_deref(),
            cfg.content.as_deref(),
            environment,
        )?;
        plan.configs.push(m::ConfigSpec {
            name: Some(cfg.name.clone().unwrap_or_else(|| scoped(stack, key))),
            labels: Some(ns_labels(stack, &cfg.labels)),
            data: Some(data),
            ..Default::default()
        });
    }
    let mut ignored = std::collections::BTreeSet::new();
    for (key, s) in &p.services {
        ignored.extend(unsupported(s));
        plan.services.push(service(stack, p, key, s)?);
    }
    if !ignored.is_empty() {
        plan.warnings.push(format!(
            "Ignoring unsupported options: {}",
            ignored.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(plan)
}
