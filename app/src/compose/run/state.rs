//! What a project has on the engine now, found by its labels alone (so `ps` and `down`
//! work without the project's files, as in Docker Compose): its containers with their
//! service, replica number and config hash, and the projects the engine knows.

use std::collections::{BTreeMap, HashMap};

use bollard::models as m;
use bollard::query_parameters as q;

use super::Result;
use crate::backend::Backend;
use crate::compose::labels;

/// One container of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    pub id: String,
    pub name: String,
    pub service: String,
    pub number: u32,
    pub oneoff: bool,
    pub hash: String,
    /// `running`, `exited`, `created`, `paused`, ...
    pub state: String,
    pub status: String,
    pub image: String,
    /// The ID of the image it was created from.
    pub image_id: String,
    pub labels: HashMap<String, String>,
}

impl Existing {
    pub fn running(&self) -> bool {
        matches!(self.state.as_str(), "running" | "restarting" | "paused")
    }
}

fn label_filter(pairs: &[String]) -> HashMap<String, Vec<String>> {
    HashMap::from([("label".to_string(), pairs.to_vec())])
}

/// The containers of `project` (stopped ones too), by service then number.
pub async fn containers(b: &dyn Backend, project: &str) -> Result<Vec<Existing>> {
    let list = b
        .container_list(q::ListContainersOptions {
            all: true,
            filters: Some(label_filter(&[format!("{}={project}", labels::PROJECT)])),
            ..Default::default()
        })
        .await?;
    let mut out: Vec<Existing> = list.into_iter().filter_map(existing).collect();
    out.sort_by(|a, b| (&a.service, a.number, &a.name).cmp(&(&b.service, b.number, &b.name)));
    Ok(out)
}

fn existing(c: m::ContainerSummary) -> Option<Existing> {
    let labels = c.labels.unwrap_or_default();
    let service = labels.get(labels::SERVICE)?.clone();
    let name = c
        .names
        .unwrap_or_default()
        .first()
        .map(|n| n.trim_start_matches('/').to_string())
        .unwrap_or_default();
    Some(Existing {
        id: c.id.unwrap_or_default(),
        name,
        number: labels
            .get(labels::CONTAINER_NUMBER)
            .and_then(|n| n.parse().ok())
            .unwrap_or(0),
        oneoff: labels.get(labels::ONEOFF).is_some_and(|v| v == "True"),
        hash: labels.get(labels::CONFIG_HASH).cloned().unwrap_or_default(),
        state: c.state.map(|s| s.to_string()).unwrap_or_default(),
        status: c.status.unwrap_or_default(),
        image: c.image.unwrap_or_default(),
        image_id: c.image_id.unwrap_or_default(),
        service,
        labels,
    })
}

/// One project the engine knows, for `compose ls`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownProject {
    pub name: String,
    /// `running(2), exited(1)`, as Compose words it.
    pub status: String,
    pub config_files: String,
    pub running: usize,
}

/// Every project with containers, from their labels.
pub async fn projects(b: &dyn Backend) -> Result<Vec<KnownProject>> {
    let list = b
        .container_list(q::ListContainersOptions {
            all: true,
            filters: Some(label_filter(&[labels::PROJECT.to_string()])),
            ..Default::default()
        })
        .await?;
    let mut by: BTreeMap<String, (BTreeMap<String, usize>, String)> = BTreeMap::new();
    for c in list {
        let labels = c.labels.clone().unwrap_or_default();
        let Some(p) = labels.get(labels::PROJECT) else {
            continue;
        };
        let entry = by.entry(p.clone()).or_default();
        let state = c.state.map(|s| s.to_string()).unwrap_or_default();
        *entry.0.entry(state).or_default() += 1;
        if let Some(f) = labels.get(labels::CONFIG_FILES) {
            entry.1 = f.clone();
        }
    }
    Ok(by
        .into_iter()
        .map(|(name, (states, files))| KnownProject {
            status: states
                .iter()
                .map(|(s, n)| format!("{s}({n})"))
                .collect::<Vec<_>>()
                .join(", "),
            running: states.get("running").copied().unwrap_or(0),
            config_files: files,
            name,
        })
        .collect())
}
