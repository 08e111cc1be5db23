//! A Docker swarm's secrets and configs: passed through to `/secrets` and `/configs`.
//! The data goes in the spec, base64 as Docker's API has it; lists and inspections
//! come back without a secret's data (the daemon never returns it).

use std::collections::HashMap;

use bollard::models as m;
use bollard::query_parameters as q;

use super::client::Connection;
use crate::backend::Result;

fn filters_of(f: HashMap<String, Vec<String>>) -> Option<HashMap<String, Vec<String>>> {
    (!f.is_empty()).then_some(f)
}

pub async fn secret_create(conn: &Connection, spec: m::SecretSpec) -> Result<String> {
    let c = conn.client().await?;
    let r = c.create_secret(spec).await.map_err(|e| conn.error(e))?;
    Ok(r.id)
}

pub async fn secret_list(
    conn: &Connection,
    filters: HashMap<String, Vec<String>>,
) -> Result<Vec<m::Secret>> {
    let c = conn.client().await?;
    let opts = q::ListSecretsOptions {
        filters: filters_of(filters),
    };
    c.list_secrets(Some(opts)).await.map_err(|e| conn.error(e))
}

pub async fn secret_inspect(conn: &Connection, id: &str) -> Result<m::Secret> {
    let c = conn.client().await?;
    c.inspect_secret(id).await.map_err(|e| conn.error(e))
}

pub async fn secret_remove(conn: &Connection, id: &str) -> Result<()> {
    let c = conn.client().await?;
    c.delete_secret(id).await.map_err(|e| conn.error(e))
}

pub async fn config_create(conn: &Connection, spec: m::ConfigSpec) -> Result<String> {
    let c = conn.client().await?;
    let r = c.create_config(spec).await.map_err(|e| conn.error(e))?;
    Ok(r.id)
}

pub async fn config_list(
    conn: &Connection,
    filters: HashMap<String, Vec<String>>,
) -> Result<Vec<m::Config>> {
    let c = conn.client().await?;
    let opts = q::ListConfigsOptions {
        filters: filters_of(filters),
    };
    c.list_configs(Some(opts)).await.map_err(|e| conn.error(e))
}

pub async fn config_inspect(conn: &Connection, id: &str) -> Result<m::Config> {
    let c = conn.client().await?;
    c.inspect_config(id).await.map_err(|e| conn.error(e))
}

pub async fn config_remove(conn: &Connection, id: &str) -> Result<()> {
    let c = conn.client().await?;
    c.delete_config(id).await.map_err(|e| conn.error(e))
}
