//! A Docker swarm's services and their tasks: passed through to `/services` and
//! `/tasks`. The interface's `version` is the one the caller read (the daemon refuses an
//! update made on a stale read); filters go as Docker's JSON map.

use std::collections::HashMap;

use bollard::models as m;
use bollard::query_parameters as q;
use futures_util::TryStreamExt;

use super::client::Connection;
use super::reroute::{self, Rewrite};
use crate::backend::{BackendError, LogStream, LogsQuery, Result};

/// No filter at all is sent as none (the daemon reads `{}` the same, older ones too).
fn filters_of(f: HashMap<String, Vec<String>>) -> Option<HashMap<String, Vec<String>>> {
    (!f.is_empty()).then_some(f)
}

/// The interface carries no registry credentials for services: the daemon resolves the
/// image with none, as `docker service create` without `--with-registry-auth` does.
pub async fn create(conn: &Connection, spec: m::ServiceSpec) -> Result<m::ServiceCreateResponse> {
    let c = conn.client().await?;
    c.create_service(spec, None)
        .await
        .map_err(|e| conn.error(e))
}

pub async fn list(
    conn: &Connection,
    filters: HashMap<String, Vec<String>>,
    status: bool,
) -> Result<Vec<m::Service>> {
    let c = conn.client().await?;
    let opts = q::ListServicesOptions {
        filters: filters_of(filters),
        // Engines before API 1.41 do not know it; asked only when wanted.
        status: status.then_some(true),
    };
    c.list_services(Some(opts)).await.map_err(|e| conn.error(e))
}

/// The spec as stored, without the defaults the daemon could fill in: what an update
/// sends back must be what was read, or it would change more than asked.
pub async fn inspect(conn: &Connection, id: &str) -> Result<m::Service> {
    let c = conn.client().await?;
    c.inspect_service(id, None).await.map_err(|e| conn.error(e))
}

pub async fn update(
    conn: &Connection,
    id: &str,
    version: u64,
    spec: m::ServiceSpec,
    rollback: bool,
) -> Result<m::ServiceUpdateResponse> {
    let version = i32::try_from(version)
        .map_err(|_| BackendError::invalid(format!("service version {version} is out of range")))?;
    let c = conn.client().await?;
    let opts = q::UpdateServiceOptions {
        version,
        // `rollback=previous`: the daemon puts back the spec before the last update
        // (the spec sent is the current one, as the docker CLI sends it).
        rollback: rollback.then(|| "previous".to_string()),
        ..Default::default()
    };
    c.update_service(id, spec, opts, None)
        .await
        .map_err(|e| conn.error(e))
}

pub async fn remove(conn: &Connection, id: &str) -> Result<()> {
    let c = conn.client().await?;
    c.delete_service(id).await.map_err(|e| conn.error(e))
}

pub async fn task_list(
    conn: &Connection,
    filters: HashMap<String, Vec<String>>,
) -> Result<Vec<m::Task>> {
    let c = conn.client().await?;
    let opts = q::ListTasksOptions {
        filters: filters_of(filters),
    };
    c.list_tasks(Some(opts)).await.map_err(|e| conn.error(e))
}

pub async fn task_inspect(conn: &Connection, id: &str) -> Result<m::Task> {
    let c = conn.client().await?;
    c.inspect_task(id).await.map_err(|e| conn.error(e))
}

/// `/services/{id}/logs` or `/tasks/{id}/logs`. bollard's options have no `details`,
/// so it is added to the query as the docker CLI sends it (each line then starts with
/// its task's `com.docker.swarm.*` attributes).
pub async fn logs(conn: &Connection, id: &str, task: bool, opts: LogsQuery) -> Result<LogStream> {
    let details = opts.details;
    let bollard_opts = super::options::logs_options(&LogsQuery {
        details: false,
        ..opts
    })?;
    let c = conn.client().await?;
    let rw = Rewrite {
        extra_query: if details {
            vec!["details=1".to_string()]
        } else {
            Vec::new()
        },
        ..Default::default()
    };
    let c = reroute::client(c, rw);
    let url = conn.url().to_string();
    let to_err = move |e| super::errors::from_docker(e, &url);
    // The stream owns its client: the rewritten one lives only for this request.
    let s = if task {
        Box::pin(c.task_logs(id, Some(bollard_opts)).map_err(to_err)) as LogStream
    } else {
        Box::pin(c.service_logs(id, Some(bollard_opts)).map_err(to_err)) as LogStream
    };
    Ok(s)
}
