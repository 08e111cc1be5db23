//! `compose watch` (the compose spec's `develop.watch`), as Docker Compose v2 runs it:
//! the selected services' rules planned and checked (`plan`), their paths watched with
//! inotify (`notify`), changes gathered until half a second of quiet (`debounce`),
//! each batch sorted into per-service actions (`batch`) and done through the engine
//! interface (`act`: rebuild and recreate, copy in with `sync`, restart, exec). Front
//! ends get progress as data, as from `up`, and decide when to stop.

pub mod act;
pub mod batch;
pub mod debounce;
pub mod exec;
pub mod matcher;
pub mod notify;
pub mod plan;
pub mod sync;

use std::future::Future;
use std::path::Path;
use std::time::Instant;

use crate::backend::Backend;
use crate::compose::load::Loaded;
use crate::compose::run::progress::{Progress, Sink};
use crate::compose::run::{ComposeError, Result};

pub use plan::{plan, Plan, Rule, NOT_CONFIGURED};

#[derive(Debug, Clone, Default)]
pub struct WatchOptions {
    /// `--prune`: remove the image a rebuild replaced.
    pub prune: bool,
    /// `--quiet`: no build output.
    pub quiet: bool,
}

/// Watch until `stop` resolves. Containers are left as they are then, as Compose
/// leaves them. An action that fails is reported and the watch goes on; only the
/// watcher itself failing ends it with an error.
pub async fn watch(
    b: &dyn Backend,
    loaded: &Loaded,
    plan: &Plan,
    opts: &WatchOptions,
    sink: Sink<'_>,
    stop: impl Future<Output = ()>,
) -> Result<()> {
    let cx = act::Context {
        b,
        loaded,
        rules: &plan.rules,
        opts,
        sink,
    };
    for w in &plan.warnings {
        sink(Progress::Warning(w.clone()));
    }
    act::initial_sync(&cx).await?;
    let skips = plan.clone();
    let mut watcher = notify::Notify::new(
        plan.roots(),
        Box::new(move |dir: &Path| skips.skips_dir(dir)),
    )
    .map_err(|e| ComposeError::Invalid(e.to_string()))?;
    sink(Progress::Output("Watch enabled".into()));
    let mut pending = debounce::Debounce::new(debounce::QUIET);
    tokio::pin!(stop);
    loop {
        let due = pending.deadline();
        tokio::select! {
            _ = &mut stop => return Ok(()),
            changed = watcher.next() => {
                let changed = changed.map_err(|e| ComposeError::Invalid(e.to_string()))?;
                if changed.lost {
                    sink(Progress::Warning(
                        "too many changes at once: some were missed (the inotify queue overflowed)".into(),
                    ));
                }
                let now = Instant::now();
                for p in changed.paths {
                    pending.push(p, now);
                }
            }
            _ = sleep_until(due) => {
                let Some(changed) = pending.take(Instant::now()) else {
                    continue;
                };
                let actions = batch::classify(&changed, &plan.rules);
                if actions.is_empty() {
                    continue;
                }
                tokio::select! {
                    _ = &mut stop => return Ok(()),
                    done = act::apply(&cx, &actions) => {
                        if let Err(e) = done {
                            sink(Progress::Warning(format!("Error handling changed files: {e}")));
                        }
                    }
                }
            }
        }
    }
}

/// Until `t`, or forever without one.
async fn sleep_until(t: Option<Instant>) {
    match t {
        Some(t) => tokio::time::sleep_until(t.into()).await,
        None => std::future::pending().await,
    }
}
