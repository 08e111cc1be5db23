//! A whole compose project's up, start, stop, restart and down, on a task of its own,
//! through compose's own functions (`run::up`, `run::down`, `run::wait`) and the
//! project found by its labels (`compose::labeled`): up reads the files its labels name
//! again, down uses them when they are still there (for the stop order and orphans)
//! and works from labels alone when they are not. Start, stop and restart walk the
//! services in the order their `depends_on` labels give, as Compose does: dependencies
//! first, dependents first for a stop. Compose's progress goes to the status line.

use std::collections::BTreeSet;
use std::sync::mpsc::Sender;
use std::sync::Arc;

use futures_util::future::join_all;

use super::Msg;
use crate::backend::{Backend, ErrorKind};
use crate::compose::labeled;
use crate::compose::run::down::{down, DownOptions};
use crate::compose::run::progress::{Kind, Progress, Sink};
use crate::compose::run::state::{self, Existing};
use crate::compose::run::up::{up, UpOptions};
use crate::compose::run::wait;
use crate::tui::ops::ComposeVerb;

pub fn run(b: &Arc<dyn Backend>, project: String, verb: ComposeVerb, tx: Sender<Msg>) {
    let b = b.clone();
    tokio::spawn(async move {
        let what = format!("compose {} {project}", verb.word());
        let note = {
            let (tx, what) = (tx.clone(), what.clone());
            move |p: Progress| {
                if let Progress::Status {
                    kind: Kind::Container,
                    name,
                    status,
                } = &p
                {
                    if status == "Stopping" || status == "Restarting" {
                        let _ = tx.send(Msg::Stopping(name.clone()));
                    }
                }
                let text = match p {
                    Progress::Status { kind, name, status } => format!("{kind} {name}  {status}"),
                    Progress::Warning(w) => format!("WARN {w}"),
                    Progress::Output(o) => o,
                };
                let _ = tx.send(Msg::Note(format!("{what}: {text}")));
            }
        };
        let msg = match perform(&*b, &project, verb, &note).await {
            Ok(()) => format!("{what}: done"),
            Err(e) => format!("{what} failed: {e}"),
        };
        let _ = tx.send(Msg::Done(msg));
    });
}

async fn perform(
    b: &dyn Backend,
    project: &str,
    verb: ComposeVerb,
    sink: Sink<'_>,
) -> Result<(), String> {
    let all = state::containers(b, project)
        .await
        .map_err(|e| e.to_string())?;
    // One-off containers (`compose run`) are not the project's services.
    let containers: Vec<Existing> = all.into_iter().filter(|c| !c.oneoff).collect();
    let files = labeled::project_of(&containers);
    let active = labeled::services_of(&containers);
    match verb {
        ComposeVerb::Up => {
            let files = files.ok_or("no container of the project says where its files are")?;
            let loaded = tokio::task::spawn_blocking(move || files.load(&active))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?;
            up(b, &loaded, &UpOptions::default(), sink)
                .await
                .map_err(|e| e.to_string())?;
        }
        ComposeVerb::Down => {
            let loaded = match files {
                Some(f) => tokio::task::spawn_blocking(move || f.load(&active).ok())
                    .await
                    .ok()
                    .flatten(),
                None => None,
            };
            let p = loaded.as_ref().map(|l| &l.project);
            down(b, project, p, &DownOptions::default(), sink)
                .await
                .map_err(|e| e.to_string())?;
        }
        ComposeVerb::Start | ComposeVerb::Stop | ComposeVerb::Restart => {
            in_order(b, project, &containers, verb, sink).await?
        }
    }
    Ok(())
}

/// Start, stop or restart level by level in the labels' dependency order, a level's
/// containers at once. A start waits for each dependency's condition first, as `up`
/// does.
async fn in_order(
    b: &dyn Backend,
    project: &str,
    containers: &[Existing],
    verb: ComposeVerb,
    sink: Sink<'_>,
) -> Result<(), String> {
    let graph = labeled::graph(containers);
    let services: BTreeSet<String> = labeled::services_of(containers).into_iter().collect();
    let levels = match verb {
        ComposeVerb::Stop => graph.stop_levels(&services),
        _ => graph.levels(&services),
    };
    for level in levels {
        if verb == ComposeVerb::Start {
            // The dependencies' containers now (an earlier level started them).
            let now = state::containers(b, project)
                .await
                .map_err(|e| e.to_string())?;
            for s in &level {
                for (dep, cond) in graph.deps.get(s).into_iter().flatten() {
                    let theirs: Vec<Existing> = now
                        .iter()
                        .filter(|c| &c.service == dep && !c.oneoff)
                        .cloned()
                        .collect();
                    wait::condition(b, dep, &theirs, *cond, None, sink)
                        .await
                        .map_err(|e| e.to_string())?;
                }
            }
        }
        let batch = containers.iter().filter(|c| {
            level.contains(&c.service)
                && match verb {
                    ComposeVerb::Start => !c.running(),
                    ComposeVerb::Stop => c.running(),
                    _ => true,
                }
        });
        for r in join_all(batch.map(|c| one(b, c, verb, sink))).await {
            r?;
        }
    }
    Ok(())
}

/// One container, with compose's progress words.
async fn one(
    b: &dyn Backend,
    c: &Existing,
    verb: ComposeVerb,
    sink: Sink<'_>,
) -> Result<(), String> {
    let (doing, done) = match verb {
        ComposeVerb::Start => ("Starting", "Started"),
        ComposeVerb::Stop => ("Stopping", "Stopped"),
        _ => ("Restarting", "Started"),
    };
    sink(Progress::status(Kind::Container, &c.name, doing));
    let r = match verb {
        ComposeVerb::Start => b.container_start(&c.id).await,
        ComposeVerb::Stop => b.container_stop(&c.id, None, None).await,
        _ => b.container_restart(&c.id, None, None).await,
    };
    match r {
        // Already as asked: what was asked holds.
        Ok(()) => {}
        Err(e) if e.kind == ErrorKind::NotModified => {}
        Err(e) => return Err(format!("{}: {e}", c.name)),
    }
    sink(Progress::status(Kind::Container, &c.name, done));
    Ok(())
}
