//! `docker build` and `docker import` on a Docker engine. A build goes to `/build` with
//! the classic builder (what dockerd 20.10 uses by default, and the one that needs no
//! BuildKit session): its JSON messages (`Step 1/3 : FROM ...`, ` ---> abcd`,
//! `Successfully built`) come back as they are, and a failed step as an `errorDetail`
//! message with the step's exit code.

use std::collections::HashMap;

use bollard::errors::Error as DockerError;
use bollard::models as m;
use bollard::query_parameters as q;
use bollard::Docker;
use futures_util::{StreamExt, TryStreamExt};
use tokio::sync::mpsc;

use super::client::Connection;
use super::errors::from_docker;
use super::options::credentials;
use super::reroute::{self, Rewrite};
use crate::backend::{BackendError, BuildRequest, ByteStream, Result, Stream};

/// The query of a classic build. bollard takes one tag; the others are added to the
/// query as further `t` pairs (Docker reads them all).
fn build_options(req: &BuildRequest) -> Result<(q::BuildImageOptions, Vec<String>)> {
    if !req.secrets.is_empty() {
        return Err(BackendError::unsupported(
            "build secrets need a BuildKit session, and the Docker backend builds with \
             Docker's classic builder",
        ));
    }
    // A `--build-arg K` with no value here and none in the client's environment is left
    // out: the Dockerfile's own default applies, as with the docker CLI.
    let args: HashMap<String, String> = req
        .build_args
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.clone()?)))
        .collect();
    let labels: HashMap<String, String> = req.labels.clone().into_iter().collect();
    let mut tags = req.tags.iter();
    let opts = q::BuildImageOptions {
        dockerfile: req.dockerfile.clone(),
        t: tags.next().cloned(),
        q: req.quiet,
        nocache: req.no_cache,
        pull: req.pull.then(|| "1".to_string()),
        // The docker CLI's default: intermediate containers go once their step is done.
        rm: true,
        buildargs: (!args.is_empty()).then_some(args),
        labels: (!labels.is_empty()).then_some(labels),
        networkmode: req.network.clone(),
        platform: req.platform.clone().unwrap_or_default(),
        target: req.target.clone().unwrap_or_default(),
        version: q::BuilderVersion::BuilderV1,
        ..Default::default()
    };
    let more = tags.map(|t| format!("t={}", reroute::encode(t))).collect();
    Ok((opts, more))
}

pub async fn build(
    conn: &Connection,
    req: BuildRequest,
    context: ByteStream,
) -> Result<Stream<m::BuildInfo>> {
    let (opts, more_tags) = build_options(&req)?;
    let creds: HashMap<String, bollard::auth::DockerCredentials> = req
        .registry_auths
        .into_iter()
        .map(|(k, a)| (k, credentials(a)))
        .collect();
    let c = conn.client().await?;
    let c = reroute::client(
        c,
        Rewrite {
            extra_query: more_tags,
            ..Default::default()
        },
    );
    let url = conn.url().to_string();
    Ok(owned(
        c,
        opts,
        (!creds.is_empty()).then_some(creds),
        context,
        url,
    ))
}

/// bollard's build stream borrows its client, and this client is the call's own: a
/// task owns both and hands the messages on. Dropping the stream drops the request,
/// which the daemon takes as a cancelled build.
fn owned(
    c: Docker,
    opts: q::BuildImageOptions,
    creds: Option<HashMap<String, bollard::auth::DockerCredentials>>,
    context: ByteStream,
    url: String,
) -> Stream<m::BuildInfo> {
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(async move {
        // A read error mid-context fails the request body, so the daemon never builds
        // from a cut-off context.
        let body = bollard::body_try_stream(context.map_err(std::io::Error::other));
        let mut s = c.build_image(opts, creds, Some(body));
        while let Some(item) = s.next().await {
            let item = step_failure(item, &url);
            let end = item.is_err();
            if tx.send(item).await.is_err() || end {
                break;
            }
        }
    });
    Box::pin(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    }))
}

/// bollard turns the daemon's `errorDetail` into an error and drops its code; the
/// interface wants it as the message it was. The classic builder's words carry the
/// step's exit code (`returned a non-zero code: 3`), so it is taken back from them.
fn step_failure(
    item: std::result::Result<m::BuildInfo, DockerError>,
    url: &str,
) -> Result<m::BuildInfo> {
    match item {
        Ok(info) => Ok(info),
        Err(DockerError::DockerStreamError { error }) => {
            let code = error
                .rsplit_once("returned a non-zero code: ")
                .and_then(|(_, n)| n.trim().parse::<i64>().ok());
            Ok(m::BuildInfo {
                error_detail: Some(m::ErrorDetail {
                    code,
                    message: Some(error),
                }),
                ..Default::default()
            })
        }
        Err(e) => Err(from_docker(e, url)),
    }
}

/// `docker import`: the tar becomes a one-layer image, `reference` naming it whole
/// (`repo:tag`, as the docker CLI sends it); the new image's ID.
pub async fn import(
    conn: &Connection,
    tar: ByteStream,
    reference: Option<String>,
    changes: Vec<String>,
    message: Option<String>,
) -> Result<String> {
    let c = conn.client().await?;
    let opts = q::CreateImageOptions {
        from_src: Some("-".to_string()),
        repo: reference,
        message,
        changes,
        ..Default::default()
    };
    let body = bollard::body_try_stream(tar.map_err(std::io::Error::other));
    let mut progress = Box::pin(c.create_image(Some(opts), Some(body), None));
    // The last status is the image's ID; what comes before is progress.
    let mut id = None;
    while let Some(msg) = progress.next().await {
        let msg = msg.map_err(|e| conn.error(e))?;
        if let Some(s) = msg.status.filter(|s| s.starts_with("sha256:")) {
            id = Some(s);
        }
    }
    id.ok_or_else(|| BackendError::internal("the Docker engine imported no image ID"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tag_and_flag_reaches_the_query() {
        let req = BuildRequest {
            dockerfile: "sub/Dockerfile".into(),
            tags: vec!["a:1".into(), "reg:5000/b:2".into()],
            build_args: [("K".to_string(), Some("v".to_string())), ("U".into(), None)]
                .into_iter()
                .collect(),
            no_cache: true,
            pull: true,
            target: Some("final".into()),
            ..Default::default()
        };
        let (o, more) = build_options(&req).unwrap();
        assert_eq!(o.t.as_deref(), Some("a:1"));
        assert_eq!(more, vec!["t=reg%3A5000%2Fb%3A2".to_string()]);
        assert_eq!(o.buildargs.unwrap().len(), 1);
        assert!(o.nocache && o.rm && o.pull.is_some());
        assert_eq!(
            (o.target.as_str(), o.dockerfile.as_str()),
            ("final", "sub/Dockerfile")
        );
        assert_eq!(o.version, q::BuilderVersion::BuilderV1);
    }

    #[test]
    fn secrets_are_refused_not_dropped() {
        let mut req = BuildRequest::default();
        req.secrets.insert("s".into(), "/tmp/s".into());
        let e = build_options(&req).unwrap_err();
        assert_eq!(e.kind, crate::backend::ErrorKind::Unsupported);
    }

    #[test]
    fn a_failed_step_keeps_its_exit_code() {
        let m = step_failure(
            Err(DockerError::DockerStreamError {
                error: "The command '/bin/sh -c exit 3' returned a non-zero code: 3".into(),
            }),
            "unix:///d.sock",
        )
        .unwrap();
        let d = m.error_detail.unwrap();
        assert_eq!(d.code, Some(3));
        assert!(d.message.unwrap().contains("exit 3"));
    }
}
