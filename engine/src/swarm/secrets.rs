//! Secrets and configs on the records: created from their data (a secret's kept apart,
//! in the 0600 file, never in its record), listed and inspected without a secret's
//! data, removed only when no service names them, as Docker refuses.

use base64::Engine as _;
use bollard_stubs::models as m;

use super::ids;
use super::store::State;
use crate::error::{Error, Result};

/// Docker's limit on one secret's or config's data.
pub const MAX_DATA: usize = 500 * 1024;

fn decode(data: Option<&str>) -> Result<Vec<u8>> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.unwrap_or_default())
        .map_err(|e| Error::invalid(format!("invalid data: not base64: {e}")))?;
    if bytes.len() > MAX_DATA {
        return Err(Error::invalid(format!(
            "rpc error: code = InvalidArgument desc = secret data must be larger than 0 and less than {MAX_DATA} bytes"
        )));
    }
    Ok(bytes)
}

fn check_name(kind: &str, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "rpc error: code = InvalidArgument desc = invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]: {kind} {name:?}"
        )))
    }
}

/// The services that name a secret (or a config, with `configs`).
fn users(state: &State, id: &str, configs: bool) -> Vec<String> {
    state
        .services
        .values()
        .filter(|s| {
            let c = s
                .service
                .spec
                .as_ref()
                .and_then(|sp| sp.task_template.as_ref())
                .and_then(|t| t.container_spec.as_ref());
            match c {
                Some(c) if configs => c
                    .configs
                    .iter()
                    .flatten()
                    .any(|r| r.config_id.as_deref() == Some(id)),
                Some(c) => c
                    .secrets
                    .iter()
                    .flatten()
                    .any(|r| r.secret_id.as_deref() == Some(id)),
                None => false,
            }
        })
        .map(|s| super::services::service_name(s).to_string())
        .collect()
}

/// A valid name no other secret (or config) has.
fn check_new_name(
    kind: &str,
    name: &str,
    mut names: impl Iterator<Item = Option<String>>,
) -> Result<()> {
    check_name(kind, name)?;
    if names.any(|n| n.as_deref() == Some(name)) {
        return Err(Error::Conflict(format!(
            "rpc error: code = AlreadyExists desc = {kind} {name} already exists"
        )));
    }
    Ok(())
}

/// Docker's refusal to remove what a service still names.
fn refuse_if_used(state: &State, kind: &str, id: &str, name: &str) -> Result<()> {
    let using = users(state, id, kind == "config");
    if using.is_empty() {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "rpc error: code = InvalidArgument desc = {kind} '{name}' is in use by the following service: {}",
        using.join(", ")
    )))
}

pub fn create_secret(state: &mut State, mut spec: m::SecretSpec, now: &str) -> Result<String> {
    state.cluster()?;
    let name = spec.name.clone().unwrap_or_default();
    let names = state
        .secrets
        .values()
        .map(|s| s.spec.as_ref()?.name.clone());
    check_new_name("secret", &name, names)?;
    let data = decode(spec.data.take().as_deref())?;
    let id = ids::new_id();
    let version = state.next_version();
    state.secret_data.insert(id.clone(), data);
    state.secrets.insert(
        id.clone(),
        m::Secret {
            id: Some(id.clone()),
            version: Some(version),
            created_at: Some(now.to_string()),
            updated_at: Some(now.to_string()),
            spec: Some(spec),
        },
    );
    Ok(id)
}

pub fn create_config(state: &mut State, spec: m::ConfigSpec, now: &str) -> Result<String> {
    state.cluster()?;
    let name = spec.name.clone().unwrap_or_default();
    let names = state
        .configs
        .values()
        .map(|c| c.spec.as_ref()?.name.clone());
    check_new_name("config", &name, names)?;
    decode(spec.data.as_deref())?;
    let id = ids::new_id();
    let version = state.next_version();
    state.configs.insert(
        id.clone(),
        m::Config {
            id: Some(id.clone()),
            version: Some(version),
            created_at: Some(now.to_string()),
            updated_at: Some(now.to_string()),
            spec: Some(spec),
        },
    );
    Ok(id)
}

/// By ID, name or unique ID prefix.
fn lookup<'a, T>(
    items: &'a std::collections::BTreeMap<String, T>,
    key: &str,
    name_of: impl Fn(&T) -> Option<&str>,
    kind: &'static str,
) -> Result<(&'a String, &'a T)> {
    if let Some((id, t)) = items.get_key_value(key) {
        return Ok((id, t));
    }
    if let Some(hit) = items.iter().find(|(_, t)| name_of(t) == Some(key)) {
        return Ok(hit);
    }
    let mut hits = items
        .iter()
        .filter(|(id, _)| !key.is_empty() && id.starts_with(key));
    match (hits.next(), hits.next()) {
        (Some(hit), None) => Ok(hit),
        _ => Err(Error::not_found(kind, key)),
    }
}

pub fn find_secret<'a>(state: &'a State, key: &str) -> Result<&'a m::Secret> {
    lookup(
        &state.secrets,
        key,
        |s| s.spec.as_ref()?.name.as_deref(),
        "secret",
    )
    .map(|(_, s)| s)
}

pub fn find_config<'a>(state: &'a State, key: &str) -> Result<&'a m::Config> {
    lookup(
        &state.configs,
        key,
        |c| c.spec.as_ref()?.name.as_deref(),
        "config",
    )
    .map(|(_, c)| c)
}

pub fn remove_secret(state: &mut State, key: &str) -> Result<()> {
    state.cluster()?;
    let s = find_secret(state, key)?;
    let id = s.id.clone().unwrap_or_default();
    let name = s
        .spec
        .as_ref()
        .and_then(|sp| sp.name.clone())
        .unwrap_or_default();
    refuse_if_used(state, "secret", &id, &name)?;
    state.secrets.remove(&id);
    state.secret_data.remove(&id);
    Ok(())
}

pub fn remove_config(state: &mut State, key: &str) -> Result<()> {
    state.cluster()?;
    let c = find_config(state, key)?;
    let id = c.id.clone().unwrap_or_default();
    let name = c
        .spec
        .as_ref()
        .and_then(|sp| sp.name.clone())
        .unwrap_or_default();
    refuse_if_used(state, "config", &id, &name)?;
    state.configs.remove(&id);
    Ok(())
}

/// The bytes of a config (from its record) or a secret (from the private file).
pub fn data_of(state: &State, secret: bool, id: &str) -> Option<Vec<u8>> {
    if secret {
        state.secret_data.get(id).cloned()
    } else {
        let data = state.configs.get(id)?.spec.as_ref()?.data.clone();
        decode(data.as_deref()).ok()
    }
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

    fn secret(name: &str, data: &[u8]) -> m::SecretSpec {
        m::SecretSpec {
            name: Some(name.into()),
            data: Some(base64::engine::general_purpose::STANDARD.encode(data)),
            ..Default::default()
        }
    }

    #[test]
    fn a_secrets_data_is_kept_apart_and_its_removal_waits_for_its_users() {
        let mut st = swarm();
        let id = create_secret(&mut st, secret("db_pass", b"hunter2"), "t1").unwrap();
        assert!(st.secrets[&id].spec.as_ref().unwrap().data.is_none());
        assert_eq!(data_of(&st, true, &id).unwrap(), b"hunter2");
        let e = create_secret(&mut st, secret("db_pass", b"x"), "t2").unwrap_err();
        assert!(e.to_string().contains("already exists"));
        assert!(create_secret(&mut st, secret("bad name", b"x"), "t2").is_err());
        assert_eq!(
            find_secret(&st, "db_pass").unwrap().id.as_deref(),
            Some(id.as_str())
        );
        // Named by a service: refused.
        let spec = m::ServiceSpec {
            name: Some("web".into()),
            task_template: Some(m::TaskSpec {
                container_spec: Some(m::TaskSpecContainerSpec {
                    image: Some("x".into()),
                    secrets: Some(vec![m::TaskSpecContainerSpecSecrets {
                        secret_id: None,
                        secret_name: Some("db_pass".into()),
                        file: None,
                    }]),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        let mut missing = spec.clone();
        missing.name = Some("other".into());
        if let Some(c) = missing
            .task_template
            .as_mut()
            .and_then(|t| t.container_spec.as_mut())
        {
            c.secrets.as_mut().unwrap()[0].secret_name = Some("nope".into());
        }
        let e = crate::swarm::services::create(&mut st, missing, "t3").unwrap_err();
        assert!(e.to_string().contains("secret not found: nope"), "{e}");
        // Named without its ID: the ID is filled in.
        crate::swarm::services::create(&mut st, spec, "t3").unwrap();
        let svc = crate::swarm::services::find(&st, "web").unwrap();
        let refs = svc
            .service
            .spec
            .as_ref()
            .unwrap()
            .task_template
            .as_ref()
            .unwrap();
        let r = &refs
            .container_spec
            .as_ref()
            .unwrap()
            .secrets
            .as_ref()
            .unwrap()[0];
        assert_eq!(r.secret_id.as_deref(), Some(id.as_str()));
        let e = remove_secret(&mut st, "db_pass").unwrap_err().to_string();
        assert!(e.contains("in use by the following service: web"), "{e}");
        crate::swarm::services::remove(&mut st, "web").unwrap();
        remove_secret(&mut st, "db_pass").unwrap();
        assert!(st.secret_data.is_empty());
    }
}
