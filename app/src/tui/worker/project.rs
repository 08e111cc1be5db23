//! The worker's side of a selected compose project: its details (its containers found
//! by label through compose's own `state`, the inspect documents of the first
//! `MOST_INSPECTED`, its `config` loaded again from the files its labels name, kept
//! until a file changes) and its merged log.

use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use futures_util::future::join_all;

use super::project_logs::{self, Member, ProjectTail};
use super::{Msg, Worker, FULL_RELOAD};
use crate::compose::labeled::{self, LabeledProject};
use crate::compose::run::state::{self, Existing};
use crate::tui::project::{project_view, ProjectView};

/// How many of a project's containers are inspected for its details each time: a
/// project of a thousand replicas must not cost a thousand inspects a second.
pub const MOST_INSPECTED: usize = 64;

/// What a config text was read from: the project's name (two projects may share files)
/// and its files (compose files and env files) with their times.
type ConfigKey = (String, Vec<(PathBuf, Option<SystemTime>)>);

/// The config text of the project last shown, and what it was read from.
pub type ConfigCache = Option<(ConfigKey, Result<String, String>)>;

/// The details last built, for which project and when.
#[derive(Default)]
pub struct ProjectCache {
    pub view: Option<(String, Instant, ProjectView)>,
    pub config: ConfigCache,
}

fn key(p: &LabeledProject) -> ConfigKey {
    // The `.env` beside the project and any --env-file change what it says too.
    let dot_env = p.working_dir.join(".env");
    let modified = |f: &PathBuf| std::fs::metadata(f).and_then(|m| m.modified()).ok();
    let files = p
        .config_files
        .iter()
        .chain(&p.env_files)
        .chain([&dot_env])
        .map(|f| (f.clone(), modified(f)))
        .collect();
    (p.name.clone(), files)
}

/// `compose config`'s YAML of the project the containers' labels name, loaded on the
/// blocking pool; kept while its files are unchanged.
async fn config_text(cache: &mut ConfigCache, containers: &[Existing]) -> Result<String, String> {
    let Some(p) = labeled::project_of(containers) else {
        return Err("its containers do not say where its files are".into());
    };
    let key = key(&p);
    if let Some((k, text)) = cache.as_ref() {
        if *k == key {
            return text.clone();
        }
    }
    let active = labeled::services_of(containers);
    let text = tokio::task::spawn_blocking(move || {
        let loaded = p.load(&active).map_err(|e| e.to_string())?;
        labeled::config_yaml(&loaded.project)
    })
    .await
    .unwrap_or_else(|e| Err(format!("loading the project failed: {e}")));
    *cache = Some((key, text.clone()));
    text
}

impl Worker {
    /// The selected project's details: built again when something happened, when
    /// another project is selected, or every `FULL_RELOAD`.
    pub(super) async fn project_details(&mut self, changed: bool) -> Option<ProjectView> {
        let name = self.project.clone()?;
        if let Some((n, at, view)) = &self.projects.view {
            if *n == name && !changed && at.elapsed() < FULL_RELOAD {
                return Some(view.clone());
            }
        }
        let b = self.backend.clone();
        let containers = state::containers(&*b, &name).await.ok()?;
        let docs = join_all(
            containers
                .iter()
                .take(MOST_INSPECTED)
                .map(|c| b.container_inspect(&c.id, false)),
        )
        .await
        .into_iter()
        .filter_map(Result::ok)
        .collect::<Vec<_>>();
        let networks = self
            .lists
            .as_ref()
            .map(|l| l.networks.clone())
            .unwrap_or_default();
        let config = config_text(&mut self.projects.config, &containers).await;
        let view = project_view(&name, &containers, &docs, &networks, config);
        self.projects.view = Some((name, Instant::now(), view.clone()));
        Some(view)
    }

    /// The selected project's containers, from the last lists read.
    fn members(&self, project: &str) -> Vec<Member> {
        self.lists
            .iter()
            .flat_map(|l| &l.containers)
            .filter(|c| c.project == project)
            .map(|c| Member {
                id: c.id.clone(),
                name: c.name.clone(),
                service: c.service.clone(),
                running: c.state == "running",
            })
            .collect()
    }

    /// Send what the selected project's merged log gained; false once the UI has gone.
    pub(super) fn poll_project_log(&mut self, project: &str) -> bool {
        if self
            .project_tail
            .as_ref()
            .is_none_or(|t| t.project != project)
        {
            let members = self.members(project);
            self.project_tail = Some(ProjectTail::follow(self.backend.clone(), project, members));
        }
        let Some(t) = self.project_tail.as_mut() else {
            return true;
        };
        let Some(chunk) = t.poll() else {
            return true;
        };
        self.tx
            .send(Msg::Logs {
                id: project_logs::view_key(project),
                lines: chunk.lines,
                reset: chunk.reset,
            })
            .is_ok()
    }

    /// The project's containers changed (new lists): its merged log follows them.
    pub(super) fn sync_project_log(&mut self) {
        let Some(project) = self.project.clone() else {
            return;
        };
        let members = self.members(&project);
        if let Some(t) = self.project_tail.as_mut().filter(|t| t.project == project) {
            t.sync(members);
        }
    }
}
