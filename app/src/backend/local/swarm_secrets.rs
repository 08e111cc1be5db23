//! Secrets and configs on the local engine: Docker's `/secrets` and `/configs` over the
//! swarm records. A secret's data never leaves the private file: lists and inspects
//! carry its spec without `Data`.

use std::collections::HashMap;

use berth_engine::swarm::{secrets, SwarmStore};
use berth_engine::Engine;
use bollard::models as m;

use crate::backend::Result;

fn store(e: &Engine) -> SwarmStore {
    SwarmStore::new(&e.paths)
}

fn now() -> String {
    berth_engine::container::now_rfc3339()
}

/// Docker's filters on a secret's or config's ID, name and labels.
fn matches(
    id: Option<&str>,
    name: Option<&str>,
    labels: Option<&HashMap<String, String>>,
    filters: &HashMap<String, Vec<String>>,
) -> bool {
    filters.iter().all(|(key, wants)| {
        wants.iter().any(|w| match key.as_str() {
            "id" => id.is_some_and(|i| i.starts_with(w.as_str())),
            "name" => name.is_some_and(|n| n.starts_with(w.as_str())),
            "label" => match w.split_once('=') {
                Some((k, v)) => labels.and_then(|l| l.get(k)).is_some_and(|x| x == v),
                None => labels.is_some_and(|l| l.contains_key(w.as_str())),
            },
            _ => true,
        })
    })
}

pub fn secret_create(e: &Engine, spec: m::SecretSpec) -> Result<String> {
    Ok(store(e).transact(|st| secrets::create_secret(st, spec, &now()))?)
}

pub fn secret_list(e: &Engine, filters: &HashMap<String, Vec<String>>) -> Result<Vec<m::Secret>> {
    let st = store(e).load()?;
    st.cluster()?;
    Ok(st
        .secrets
        .values()
        .filter(|s| {
            let spec = s.spec.as_ref();
            matches(
                s.id.as_deref(),
                spec.and_then(|sp| sp.name.as_deref()),
                spec.and_then(|sp| sp.labels.as_ref()),
                filters,
            )
        })
        .cloned()
        .collect())
}

pub fn secret_inspect(e: &Engine, id: &str) -> Result<m::Secret> {
    let st = store(e).load()?;
    st.cluster()?;
    Ok(secrets::find_secret(&st, id)?.clone())
}

pub fn secret_remove(e: &Engine, id: &str) -> Result<()> {
    Ok(store(e).transact(|st| secrets::remove_secret(st, id))?)
}

pub fn config_create(e: &Engine, spec: m::ConfigSpec) -> Result<String> {
    Ok(store(e).transact(|st| secrets::create_config(st, spec, &now()))?)
}

pub fn config_list(e: &Engine, filters: &HashMap<String, Vec<String>>) -> Result<Vec<m::Config>> {
    let st = store(e).load()?;
    st.cluster()?;
    Ok(st
        .configs
        .values()
        .filter(|c| {
            let spec = c.spec.as_ref();
            matches(
                c.id.as_deref(),
                spec.and_then(|sp| sp.name.as_deref()),
                spec.and_then(|sp| sp.labels.as_ref()),
                filters,
            )
        })
        .cloned()
        .collect())
}

pub fn config_inspect(e: &Engine, id: &str) -> Result<m::Config> {
    let st = store(e).load()?;
    st.cluster()?;
    Ok(secrets::find_config(&st, id)?.clone())
}

pub fn config_remove(e: &Engine, id: &str) -> Result<()> {
    Ok(store(e).transact(|st| secrets::remove_config(st, id))?)
}
