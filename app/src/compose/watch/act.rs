//! Doing what a batch asks, through the engine interface only, in Compose's order:
//! rebuilds first (the image built as `compose build` builds it, then the service's
//! containers recreated by `up` itself, forced, without its dependencies), then the
//! copies, then restarts, then `sync+exec` commands. The lines Compose's watch logger
//! prints go to the sink as output lines.

use bollard::models as m;

use super::batch::{Actions, Mapping};
use super::exec;
use super::plan::Rule;
use super::sync;
use super::WatchOptions;
use crate::backend::Backend;
use crate::compose::load::Loaded;
use crate::compose::model::WatchAction;
use crate::compose::run::images::{self, BuildPolicy, ImageOptions};
use crate::compose::run::progress::{Kind, Progress, Sink};
use crate::compose::run::state::{self, Existing};
use crate::compose::run::up::{up, UpOptions};
use crate::compose::run::{ComposeError, Result};

/// What acting needs.
pub struct Context<'a> {
    pub b: &'a dyn Backend,
    pub loaded: &'a Loaded,
    pub rules: &'a [Rule],
    pub opts: &'a WatchOptions,
    pub sink: Sink<'a>,
}

impl Context<'_> {
    fn log(&self, line: String) {
        (self.sink)(Progress::Output(line));
    }

    /// The service's containers (not one-off ones); only running ones with `running`.
    async fn containers(&self, service: &str, running: bool) -> Result<Vec<Existing>> {
        let all = state::containers(self.b, self.loaded.project.name()).await?;
        Ok(all
            .into_iter()
            .filter(|c| c.service == service && !c.oneoff && (!running || c.running()))
            .collect())
    }
}

pub async fn apply(cx: &Context<'_>, a: &Actions) -> Result<()> {
    for s in &a.rebuild {
        rebuild(cx, s).await?;
    }
    for (s, mappings) in &a.sync {
        cx.log(format!(
            "Syncing service {s:?} after {} changes were detected",
            mappings.len()
        ));
        sync_service(cx, s, mappings).await?;
    }
    for s in &a.restart {
        for c in cx.containers(s, false).await? {
            (cx.sink)(Progress::status(Kind::Container, &c.name, "Restarting"));
            cx.b.container_restart(&c.id, None, None).await?;
            (cx.sink)(Progress::status(Kind::Container, &c.name, "Started"));
        }
        cx.log(format!("service {s:?} restarted"));
    }
    for (s, rules) in &a.exec {
        for &i in rules {
            let Some(hook) = cx.rules.get(i).and_then(|r| r.exec.as_ref()) else {
                continue;
            };
            let cfg = exec::hook_config(hook)?;
            for c in cx.containers(s, true).await? {
                run_hook(cx, &c, cfg.clone()).await?;
            }
        }
    }
    Ok(())
}

/// `initial_sync` rules: their whole path copied in once, before watching.
pub async fn initial_sync(cx: &Context<'_>) -> Result<()> {
    for r in cx.rules.iter().filter(|r| r.initial_sync) {
        if !matches!(r.action, WatchAction::Sync | WatchAction::SyncRestart) {
            continue;
        }
        let files = sync::initial_files(r);
        if !files.is_empty() {
            sync_service(cx, &r.service, &files).await?;
        }
    }
    Ok(())
}

async fn sync_service(cx: &Context<'_>, service: &str, mappings: &[Mapping]) -> Result<()> {
    let ids: Vec<String> = cx
        .containers(service, true)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    sync::sync(cx.b, &ids, mappings).await
}

/// A `sync+exec` command; its output is the watch's, its failure the batch's.
async fn run_hook(cx: &Context<'_>, c: &Existing, cfg: m::ExecConfig) -> Result<()> {
    let ran = exec::run(cx.b, &c.id, cfg).await?;
    for line in String::from_utf8_lossy(&ran.output).lines() {
        cx.log(line.to_string());
    }
    if ran.code != 0 {
        return Err(ComposeError::Invalid(format!(
            "exec in {} failed with exit code {}",
            c.name, ran.code
        )));
    }
    Ok(())
}

/// Build the service's image anew and recreate its containers from it.
async fn rebuild(cx: &Context<'_>, service: &str) -> Result<()> {
    let project = &cx.loaded.project;
    let svc = project
        .services
        .get(service)
        .ok_or_else(|| ComposeError::Invalid(format!("no such service: {service}")))?;
    let image = svc.image_or_default(project.name(), service);
    cx.log(format!(
        "Rebuilding service {service:?} after changes were detected..."
    ));
    let before = cx.b.image_inspect(&image).await.ok().and_then(|i| i.id);
    let (quiet, sink) = (cx.opts.quiet, cx.sink);
    let build_sink = move |p: Progress| {
        if !(quiet && matches!(p, Progress::Output(_))) {
            sink(p)
        }
    };
    if let Err(e) = images::build_one(
        cx.b,
        service,
        svc,
        &image,
        &ImageOptions::default(),
        &build_sink,
    )
    .await
    {
        cx.log(format!("Build failed. Error: {e}"));
        return Err(e);
    }
    cx.log(format!("service {service:?} successfully built"));
    let opts = UpOptions {
        services: vec![service.to_string()],
        no_deps: true,
        force_recreate: true,
        images: ImageOptions {
            build: BuildPolicy::Never,
            ..Default::default()
        },
        ..Default::default()
    };
    if let Err(e) = up(cx.b, cx.loaded, &opts, cx.sink).await {
        cx.log(format!(
            "Failed to recreate service after update. Error: {e}"
        ));
        return Err(e);
    }
    if cx.opts.prune {
        prune(cx.b, before, &image).await;
    }
    Ok(())
}

/// `--prune`: the image the service ran before, now untagged and unused, is removed.
/// Failures are only a missed cleanup (Compose logs them at debug level).
async fn prune(b: &dyn Backend, before: Option<String>, image: &str) {
    let Some(old) = before else {
        return;
    };
    let now = b.image_inspect(image).await.ok().and_then(|i| i.id);
    if now.as_deref() == Some(old.as_str()) {
        return;
    }
    let dangling = b
        .image_inspect(&old)
        .await
        .is_ok_and(|i| i.repo_tags.unwrap_or_default().is_empty());
    if dangling {
        let _ = b.image_remove(&old, false, false).await;
    }
}
