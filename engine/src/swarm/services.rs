//! Services on the records: create (with Docker's defaults and refusals), update with
//! its version check, remove, and find by ID, name or ID prefix. Turning a service into
//! tasks is the manager's; this is only what `service create/update/rm` change.

use bollard_stubs::models as m;

use super::ids;
use super::store::{ServiceRecord, State};
use crate::error::{Error, Result};

/// Docker's rule for service names: a DNS label (letters, digits, `-`, `_`, `.`).
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
}

/// The replicas a replicated service asks for (global services: None).
pub fn replicas(spec: &m::ServiceSpec) -> Option<i64> {
    match &spec.mode {
        Some(m::ServiceSpecMode {
            global: Some(_), ..
        }) => None,
        Some(m::ServiceSpecMode {
            replicated: Some(r),
            ..
        }) => Some(r.replicas.unwrap_or(1)),
        _ => Some(1),
    }
}

fn image_of(spec: &m::ServiceSpec) -> Option<&str> {
    spec.task_template
        .as_ref()?
        .container_spec
        .as_ref()?
        .image
        .as_deref()
        .filter(|i| !i.is_empty())
}

/// Fill what the daemon fills (a name, the replicated mode) and refuse what it refuses.
fn settle(state: &State, mut spec: m::ServiceSpec, except: Option<&str>) -> Result<m::ServiceSpec> {
    if image_of(&spec).is_none() {
        return Err(Error::invalid(
            "rpc error: code = InvalidArgument desc = ContainerSpec: image reference must be provided",
        ));
    }
    let name = match spec.name.take().filter(|n| !n.is_empty()) {
        Some(n) => n,
        None => (0..)
            .map(crate::store::names::generate)
            .find(|n| !state.services.values().any(|s| service_name(s) == n))
            .unwrap_or_default(),
    };
    if !valid_name(&name) {
        return Err(Error::invalid(format!(
            "rpc error: code = InvalidArgument desc = name must be valid as a DNS name component: {name:?}"
        )));
    }
    let taken = state
        .services
        .values()
        .any(|s| service_name(s) == name && s.service.id.as_deref() != except);
    if taken {
        return Err(Error::Conflict(format!(
            "rpc error: code = AlreadyExists desc = name conflicts with an existing object: service {name} already exists"
        )));
    }
    if let Some(n) = replicas(&spec) {
        if n < 0 {
            return Err(Error::invalid("replicas must be 0 or more"));
        }
    }
    resolve_references(state, &mut spec)?;
    spec.name = Some(name);
    let mode = spec.mode.get_or_insert_with(|| m::ServiceSpecMode {
        replicated: Some(m::ServiceSpecModeReplicated { replicas: Some(1) }),
        ..Default::default()
    });
    // `{"Replicated": {}}`, as the docker CLI sends it without --replicas: one.
    if let Some(r) = mode.replicated.as_mut() {
        r.replicas.get_or_insert(1);
    }
    Ok(spec)
}

/// The service's endpoint as Docker reports it: its spec, and its ports with a
/// published port given to each that asked for none (from 30000 up, as swarm's ingress
/// allocates them, skipping ports other services hold).
fn endpoint(state: &State, spec: &m::ServiceSpec, except: Option<&str>) -> m::ServiceEndpoint {
    let taken: Vec<i64> = state
        .services
        .values()
        .filter(|s| s.service.id.as_deref() != except)
        .filter_map(|s| s.service.endpoint.as_ref()?.ports.clone())
        .flatten()
        .filter_map(|p| p.published_port)
        .collect();
    let mut next = 30000;
    let ports = spec
        .endpoint_spec
        .as_ref()
        .and_then(|e| e.ports.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|mut p| {
            if p.published_port.unwrap_or(0) == 0 {
                while taken.contains(&next) {
                    next += 1;
                }
                p.published_port = Some(next);
                next += 1;
            }
            p
        })
        .collect::<Vec<_>>();
    m::ServiceEndpoint {
        spec: spec.endpoint_spec.clone(),
        ports: Some(ports).filter(|p| !p.is_empty()),
        virtual_ips: None,
    }
}

/// Each secret and config the tasks mount must exist; one named without its ID (or
/// with a stale ID) gets the ID of the one by that name.
fn resolve_references(state: &State, spec: &mut m::ServiceSpec) -> Result<()> {
    let Some(c) = spec
        .task_template
        .as_mut()
        .and_then(|t| t.container_spec.as_mut())
    else {
        return Ok(());
    };
    for r in c.secrets.iter_mut().flatten() {
        let key = r
            .secret_id
            .clone()
            .filter(|id| state.secrets.contains_key(id));
        let key = key.or_else(|| r.secret_name.clone()).unwrap_or_default();
        let s = super::secrets::find_secret(state, &key).map_err(|_| {
            Error::invalid(format!(
                "secret not found: {}",
                r.secret_name.clone().unwrap_or(key.clone())
            ))
        })?;
        r.secret_id = s.id.clone();
        r.secret_name = s.spec.as_ref().and_then(|sp| sp.name.clone());
    }
    for r in c.configs.iter_mut().flatten() {
        let key = r
            .config_id
            .clone()
            .filter(|id| state.configs.contains_key(id));
        let key = key.or_else(|| r.config_name.clone()).unwrap_or_default();
        let cfg = super::secrets::find_config(state, &key).map_err(|_| {
            Error::invalid(format!(
                "config not found: {}",
                r.config_name.clone().unwrap_or(key.clone())
            ))
        })?;
        r.config_id = cfg.id.clone();
        r.config_name = cfg.spec.as_ref().and_then(|sp| sp.name.clone());
    }
    Ok(())
}

pub fn service_name(s: &ServiceRecord) -> &str {
    s.service
        .spec
        .as_ref()
        .and_then(|sp| sp.name.as_deref())
        .unwrap_or_default()
}

/// A service by full ID, name, or unique ID prefix (Docker's lookup order).
pub fn find<'a>(state: &'a State, key: &str) -> Result<&'a ServiceRecord> {
    if let Some(s) = state.services.get(key) {
        return Ok(s);
    }
    if let Some(s) = state.services.values().find(|s| service_name(s) == key) {
        return Ok(s);
    }
    let mut prefixed = state
        .services
        .iter()
        .filter(|(id, _)| !key.is_empty() && id.starts_with(key));
    match (prefixed.next(), prefixed.next()) {
        (Some((_, s)), None) => Ok(s),
        (Some(_), Some(_)) => Err(Error::invalid(format!(
            "service {key} is ambiguous (more than one service starts with it)"
        ))),
        _ => Err(Error::not_found("service", key)),
    }
}

pub fn create(
    state: &mut State,
    spec: m::ServiceSpec,
    now: &str,
) -> Result<m::ServiceCreateResponse> {
    state.cluster()?;
    let spec = settle(state, spec, None)?;
    let endpoint = endpoint(state, &spec, None);
    let id = ids::new_id();
    let version = state.next_version();
    state.services.insert(
        id.clone(),
        ServiceRecord {
            service: m::Service {
                id: Some(id.clone()),
                version: Some(version),
                created_at: Some(now.to_string()),
                updated_at: Some(now.to_string()),
                spec: Some(spec),
                endpoint: Some(endpoint),
                ..Default::default()
            },
            previous_spec: None,
            update: None,
        },
    );
    Ok(m::ServiceCreateResponse {
        id: Some(id),
        warnings: None,
    })
}

/// The service as it is, if `version` is the one the caller read (Docker's optimistic
/// concurrency: two changes from the same read do not both win).
fn current_at(state: &State, key: &str, version: u64) -> Result<m::Service> {
    state.cluster()?;
    let current = find(state, key)?.service.clone();
    let have = current.version.as_ref().and_then(|v| v.index).unwrap_or(0);
    if have != version {
        return Err(Error::invalid(
            "rpc error: code = Unknown desc = update out of sequence",
        ));
    }
    Ok(current)
}

/// Replace the spec; `version` must be the one the caller read.
pub fn update(
    state: &mut State,
    key: &str,
    version: u64,
    spec: m::ServiceSpec,
    now: &str,
) -> Result<()> {
    let current = current_at(state, key, version)?;
    let id = current.id.clone().unwrap_or_default();
    let spec = settle(state, spec, Some(&id))?;
    let endpoint = endpoint(state, &spec, Some(&id));
    let version = state.next_version();
    if let Some(s) = state.services.get_mut(&id) {
        s.previous_spec = current.spec;
        s.service.spec = Some(spec);
        s.service.endpoint = Some(endpoint);
        s.service.version = Some(version);
        s.service.updated_at = Some(now.to_string());
        super::update::reset(s);
    }
    Ok(())
}

/// `service rollback` (or `update --rollback`): the previous spec again, rolled out
/// per the rollback config; `version` as for [`update`].
pub fn rollback(state: &mut State, key: &str, version: u64, now: &str) -> Result<()> {
    let id = current_at(state, key, version)?.id.unwrap_or_default();
    let version = state.next_version();
    let Some(s) = state.services.get_mut(&id) else {
        return Err(Error::not_found("service", key));
    };
    if !super::update::request_rollback(s, now) {
        return Err(Error::invalid(format!(
            "service {key} does not have a previous spec"
        )));
    }
    s.service.version = Some(version);
    s.service.updated_at = Some(now.to_string());
    Ok(())
}

/// Remove the service; its tasks go with it (the manager removes their containers).
pub fn remove(state: &mut State, key: &str) -> Result<()> {
    state.cluster()?;
    let id = find(state, key)?.service.id.clone().unwrap_or_default();
    state.services.remove(&id);
    for t in state.tasks.values_mut() {
        if t.service_id.as_deref() == Some(id.as_str()) {
            t.desired_state = Some(m::TaskState::REMOVE);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::swarm::cluster::{init, HostResources};

    fn swarm() -> State {
        let mut st = State::default();
        let res = HostResources {
            nano_cpus: 1,
            memory_bytes: 1,
        };
        init(&mut st, "10.0.0.1", res, "t0", None).unwrap();
        st
    }

    fn spec(name: &str, image: &str) -> m::ServiceSpec {
        m::ServiceSpec {
            name: Some(name.into()),
            task_template: Some(m::TaskSpec {
                container_spec: Some(m::TaskSpecContainerSpec {
                    image: Some(image.into()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn create_fills_defaults_and_refuses_as_docker() {
        let mut st = swarm();
        let id = create(&mut st, spec("web", "nginx"), "t1")
            .unwrap()
            .id
            .unwrap();
        let s = find(&st, "web").unwrap();
        assert_eq!(s.service.id.as_deref(), Some(id.as_str()));
        assert_eq!(replicas(s.service.spec.as_ref().unwrap()), Some(1));
        assert!(find(&st, &id[..6]).is_ok());
        let e = create(&mut st, spec("web", "nginx"), "t2")
            .unwrap_err()
            .to_string();
        assert!(e.contains("service web already exists"), "{e}");
        let e = create(&mut st, spec("web2", ""), "t2")
            .unwrap_err()
            .to_string();
        assert!(e.contains("image reference must be provided"), "{e}");
        let e = create(&mut st, spec("no/slash", "x"), "t2")
            .unwrap_err()
            .to_string();
        assert!(e.contains("DNS name"), "{e}");
        // Replicated without a count (the docker CLI's form) is one; a port without a
        // published one gets one from 30000.
        let mut bare = spec("bare", "x");
        bare.mode = Some(m::ServiceSpecMode {
            replicated: Some(m::ServiceSpecModeReplicated { replicas: None }),
            ..Default::default()
        });
        bare.endpoint_spec = Some(m::EndpointSpec {
            ports: Some(vec![m::EndpointPortConfig {
                target_port: Some(80),
                ..Default::default()
            }]),
            ..Default::default()
        });
        create(&mut st, bare, "t3").unwrap();
        let b = find(&st, "bare").unwrap();
        assert_eq!(replicas(b.service.spec.as_ref().unwrap()), Some(1));
        let published =
            b.service.endpoint.as_ref().unwrap().ports.as_ref().unwrap()[0].published_port;
        assert_eq!(published, Some(30000));
        let named = create(&mut st, spec("", "x"), "t3").unwrap().id.unwrap();
        assert!(!service_name(&st.services[&named]).is_empty());
        assert!(create(&mut State::default(), spec("a", "x"), "t").is_err());
    }

    #[test]
    fn updates_check_the_version_and_keep_the_previous_spec() {
        let mut st = swarm();
        create(&mut st, spec("web", "nginx:1"), "t1").unwrap();
        let v = find(&st, "web")
            .unwrap()
            .service
            .version
            .as_ref()
            .unwrap()
            .index
            .unwrap();
        update(&mut st, "web", v, spec("web", "nginx:2"), "t2").unwrap();
        let e = update(&mut st, "web", v, spec("web", "nginx:3"), "t3").unwrap_err();
        assert!(e.to_string().contains("update out of sequence"));
        let s = find(&st, "web").unwrap();
        let image =
            |sp: &Option<m::ServiceSpec>| image_of(sp.as_ref().unwrap()).unwrap().to_string();
        assert_eq!(image(&s.service.spec), "nginx:2");
        assert_eq!(image(&s.previous_spec), "nginx:1");
        remove(&mut st, "web").unwrap();
        assert!(find(&st, "web").is_err());
    }
}
