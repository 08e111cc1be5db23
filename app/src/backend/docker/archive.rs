//! `docker cp`'s three requests on a Docker engine: HEAD (what a path is), GET (a tar of
//! it) and PUT (a tar unpacked into a directory).

use bollard::query_parameters as q;
use bollard::Docker;
use futures_util::TryStreamExt;

use super::client::Connection;
use crate::backend::{BackendError, ByteStream, ErrorKind, PathStat, Result};

pub async fn stat(conn: &Connection, id: &str, path: &str) -> Result<PathStat> {
    let c = conn.client().await?;
    stat_with(conn, c, id, path).await
}

async fn stat_with(conn: &Connection, c: &Docker, id: &str, path: &str) -> Result<PathStat> {
    let opts = q::ContainerArchiveInfoOptions {
        path: path.to_string(),
    };
    let s = c
        .get_container_archive_info(id, Some(opts))
        .await
        .map_err(|e| conn.error(e))
        .map_err(|e| missing_path(e, id, path))?;
    Ok(PathStat {
        name: s.name,
        size: s.size,
        mode: s.file_mode,
        mtime: s.modification_time.unwrap_or_default(),
        link_target: s.link_target,
    })
}

/// A HEAD answer has no body, so a missing path comes without Docker's words; these
/// are the ones its GET would have said.
fn missing_path(e: BackendError, id: &str, path: &str) -> BackendError {
    if e.kind == ErrorKind::NotFound && e.message.trim().is_empty() {
        BackendError::not_found(format!("Could not find the file {path} in container {id}"))
    } else {
        e
    }
}

pub async fn get(conn: &Connection, id: &str, path: &str) -> Result<(PathStat, ByteStream)> {
    let c = conn.client().await?;
    let stat = stat_with(conn, c, id, path).await?;
    let opts = q::DownloadFromContainerOptions {
        path: path.to_string(),
    };
    let url = conn.url().to_string();
    let tar = c
        .download_from_container(id, Some(opts))
        .map_err(move |e| super::errors::from_docker(e, &url));
    Ok((stat, Box::pin(tar)))
}

pub async fn put(
    conn: &Connection,
    id: &str,
    path: &str,
    no_overwrite_dir_non_dir: bool,
    copy_uid_gid: bool,
    tar: ByteStream,
) -> Result<()> {
    let c = conn.client().await?;
    let flag = |on: bool| on.then(|| "true".to_string());
    let opts = q::UploadToContainerOptions {
        path: path.to_string(),
        no_overwrite_dir_non_dir: flag(no_overwrite_dir_non_dir),
        copy_uidgid: flag(copy_uid_gid),
    };
    // A read error mid-tar fails the request body, so the daemon never takes a cut-off
    // archive for a whole one.
    let body = bollard::body_try_stream(tar.map_err(std::io::Error::other));
    c.upload_to_container(id, Some(opts), body)
        .await
        .map_err(|e| conn.error(e))
}
