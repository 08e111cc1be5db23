//! The images a project's services run: built from their `build:` (tagged with `image:`
//! or `PROJECT-SERVICE`) when asked or missing, else pulled by the pull policy, through
//! the interface's build and pull operations.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use futures_util::StreamExt;

use super::progress::{Kind, Progress, Sink};
use super::{ComposeError, Result};
use crate::backend::{Backend, BuildRequest, ErrorKind, BUILD_EVENT_ID};
use crate::build_context::{self, Dockerfile};
use crate::compose::model::{Project, Service};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BuildPolicy {
    /// `--build`: build every service that has a build.
    Always,
    /// `--no-build`: never; a missing image is an error.
    Never,
    /// Build what has no image yet.
    #[default]
    Missing,
}

/// What to do about images.
#[derive(Debug, Clone, Default)]
pub struct ImageOptions {
    pub build: BuildPolicy,
    /// `--pull always|missing|never` (the service's `pull_policy` otherwise).
    pub pull: Option<String>,
    pub no_cache: bool,
    /// `build --pull`: pull base images anew.
    pub pull_base: bool,
    /// `build --build-arg`.
    pub build_args: BTreeMap<String, Option<String>>,
}

/// Make sure every service of `services` has its image; returns service -> reference.
pub async fn ensure(
    b: &dyn Backend,
    project: &Project,
    services: &BTreeSet<String>,
    opts: &ImageOptions,
    sink: Sink<'_>,
) -> Result<BTreeMap<String, String>> {
    let name = project.name().to_string();
    let mut out = BTreeMap::new();
    for s in services {
        let Some(svc) = project.services.get(s) else {
            continue;
        };
        let image = svc.image_or_default(&name, s);
        let present = match b.image_inspect(&image).await {
            Ok(_) => true,
            Err(e) if e.kind == ErrorKind::NotFound => false,
            Err(e) => return Err(e.into()),
        };
        let policy = opts
            .pull
            .clone()
            .or_else(|| svc.pull_policy.clone())
            .unwrap_or_else(|| "missing".into());
        if svc.build.is_some() {
            let build = match opts.build {
                BuildPolicy::Always => true,
                BuildPolicy::Never => false,
                BuildPolicy::Missing => !present || policy == "build",
            };
            if build {
                build_one(b, s, svc, &image, opts, sink).await?;
            } else if !present {
                return Err(ComposeError::Invalid(format!(
                    "service {s:?} has no image {image:?} and --no-build was given"
                )));
            }
        } else if policy == "always" || (!present && policy != "never") {
            pull_one(b, s, &image, sink).await?;
        } else if !present {
            return Err(ComposeError::Invalid(format!(
                "service {s:?}: image {image:?} is not here and the pull policy is never"
            )));
        }
        out.insert(s.clone(), image);
    }
    Ok(out)
}

/// `docker compose build` of one service.
pub async fn build_one(
    b: &dyn Backend,
    service: &str,
    svc: &Service,
    image: &str,
    opts: &ImageOptions,
    sink: Sink<'_>,
) -> Result<()> {
    let Some(build) = &svc.build else {
        return Ok(());
    };
    let context = build.context.clone().unwrap_or_else(|| ".".into());
    let dir = Path::new(&context);
    let dockerfile = match (&build.dockerfile_inline, &build.dockerfile) {
        (Some(text), _) => Dockerfile::Text(text.clone().into_bytes()),
        (None, Some(f)) if f != "Dockerfile" => Dockerfile::Path(dir.join(f)),
        _ => Dockerfile::Default,
    };
    sink(Progress::status(Kind::Image, service, "Building"));
    let (tar, dockerfile) = build_context::pack(dir, dockerfile)
        .map_err(|e| ComposeError::Invalid(format!("service {service:?}: {e}")))?;
    let mut build_args = build.args.clone();
    build_args.extend(opts.build_args.clone());
    let req = BuildRequest {
        dockerfile,
        tags: vec![image.to_string()],
        build_args,
        target: build.target.clone(),
        no_cache: opts.no_cache || build.no_cache,
        pull: opts.pull_base || build.pull,
        labels: build.labels.clone(),
        network: build.network.clone(),
        quiet: false,
        ..Default::default()
    };
    let body = crate::backend::once_bytes(bytes::Bytes::from(tar));
    let mut stream = b.image_build(req, body).await?;
    while let Some(msg) = stream.next().await {
        let msg = msg?;
        if let Some(err) = msg.error_detail.and_then(|d| d.message) {
            return Err(ComposeError::Invalid(format!(
                "failed to build service {service:?}: {err}"
            )));
        }
        if msg.id.as_deref() == Some(BUILD_EVENT_ID) {
            continue;
        }
        if let Some(text) = msg.stream {
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                sink(Progress::Output(format!("{service}  {line}")));
            }
        }
    }
    sink(Progress::status(Kind::Image, image, "Built"));
    Ok(())
}

/// Pull one image, for a service.
pub async fn pull_one(b: &dyn Backend, service: &str, image: &str, sink: Sink<'_>) -> Result<()> {
    sink(Progress::status(Kind::Image, service, "Pulling"));
    let mut stream = b
        .image_pull(image, None, crate::client_auth::auth_for(image))
        .await?;
    while let Some(msg) = stream.next().await {
        let msg = msg?;
        if let Some(err) = msg.error_detail.and_then(|d| d.message) {
            return Err(ComposeError::Invalid(err));
        }
    }
    sink(Progress::status(Kind::Image, service, "Pulled"));
    Ok(())
}
