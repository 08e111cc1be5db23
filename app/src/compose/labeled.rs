//! A project as its containers' labels describe it, for front ends that find projects on
//! the engine rather than on the command line (the TUI): where its files are, how to
//! load it again from them, what each service's start waited for (the `depends_on`
//! label), and its dependency graph. Everything here reads labels compose wrote
//! (`labels.rs`), so it works for projects `docker compose` made as well.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use super::graph::{Condition, Graph};
use super::labels;
use super::load::{load, LoadError, LoadOptions, Loaded};
use super::model::Project;
use super::run::state::Existing;

/// Where a project's files are, from one of its containers' labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabeledProject {
    pub name: String,
    /// `com.docker.compose.project.working_dir`.
    pub working_dir: PathBuf,
    /// `com.docker.compose.project.config_files`, in order.
    pub config_files: Vec<PathBuf>,
    /// `com.docker.compose.project.environment_file`, when `--env-file` was given.
    pub env_files: Vec<PathBuf>,
}

/// Why a project cannot be loaded again from its labels.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReloadError {
    #[error("the project's containers do not say where its files are")]
    NoFiles,
    /// `up -f -`: nothing on disk to read again.
    #[error("the project was read from standard input: there is no file to read again")]
    Stdin,
    #[error("the project's files are gone: {}", .0.join(", "))]
    Gone(Vec<String>),
    #[error(transparent)]
    Load(#[from] LoadError),
}

fn split_paths(v: Option<&String>) -> Vec<PathBuf> {
    v.map(|s| {
        s.split(',')
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .collect()
    })
    .unwrap_or_default()
}

impl LabeledProject {
    /// The project a container's labels name; None for a container of no project.
    pub fn of(l: &HashMap<String, String>) -> Option<LabeledProject> {
        let name = l.get(labels::PROJECT).filter(|n| !n.is_empty())?.clone();
        Some(LabeledProject {
            name,
            working_dir: l
                .get(labels::WORKING_DIR)
                .map(PathBuf::from)
                .unwrap_or_default(),
            config_files: split_paths(l.get(labels::CONFIG_FILES)),
            env_files: split_paths(l.get(labels::ENVIRONMENT_FILE)),
        })
    }

    /// The files named that are not there now.
    pub fn missing_files(&self) -> Vec<String> {
        self.config_files
            .iter()
            .filter(|p| !p.is_file())
            .map(|p| p.display().to_string())
            .collect()
    }

    /// The loader's options for `compose -p NAME --project-directory DIR -f FILE...`
    /// with `env`, as the project was first brought up. `active` are services that
    /// have containers: named, they are loaded whatever their profiles, so a service
    /// started under a profile is not taken for an orphan.
    pub fn load_options(
        &self,
        active: &[String],
        env: BTreeMap<String, String>,
    ) -> Result<LoadOptions, ReloadError> {
        if self.config_files.is_empty() {
            return Err(ReloadError::NoFiles);
        }
        if self.config_files.iter().any(|p| p.as_os_str() == "-") {
            return Err(ReloadError::Stdin);
        }
        let missing = self.missing_files();
        if !missing.is_empty() {
            return Err(ReloadError::Gone(missing));
        }
        let dir = (!self.working_dir.as_os_str().is_empty()).then(|| self.working_dir.clone());
        Ok(LoadOptions {
            files: self
                .config_files
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            project_name: Some(self.name.clone()),
            working_dir: dir.clone().unwrap_or_else(|| PathBuf::from("/")),
            project_directory: dir,
            env_files: self.env_files.clone(),
            services: active.to_vec(),
            process_env: env,
            profiles: Vec::new(),
            stdin: None,
        })
    }

    /// Load the project from its files now, with this process's environment (the one
    /// `up` ran with is not recorded anywhere).
    pub fn load(&self, active: &[String]) -> Result<Loaded, ReloadError> {
        let opts = self.load_options(active, std::env::vars().collect())?;
        Ok(load(&opts)?)
    }
}

/// The project of these containers (the first one's labels say it).
pub fn project_of(containers: &[Existing]) -> Option<LabeledProject> {
    containers
        .iter()
        .find_map(|c| LabeledProject::of(&c.labels))
}

/// The services that have containers, each once.
pub fn services_of(containers: &[Existing]) -> Vec<String> {
    let s: BTreeSet<&String> = containers.iter().map(|c| &c.service).collect();
    s.into_iter().cloned().collect()
}

/// One entry of the `depends_on` label: what a service's start waited for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub service: String,
    pub condition: Condition,
    /// `restart: true`: the service is restarted when this dependency is.
    pub restart: bool,
}

fn condition(word: &str) -> Option<Condition> {
    match word {
        "service_started" => Some(Condition::ServiceStarted),
        "service_healthy" => Some(Condition::ServiceHealthy),
        "service_completed_successfully" => Some(Condition::ServiceCompletedSuccessfully),
        _ => None,
    }
}

/// `SERVICE:CONDITION:RESTART,...` as compose writes `com.docker.compose.depends_on`.
/// An entry whose condition is not one of compose's is left out; `SERVICE` alone
/// (older writers) means `service_started`.
pub fn dependencies(label: &str) -> Vec<Dependency> {
    label
        .split(',')
        .filter(|e| !e.trim().is_empty())
        .filter_map(|e| {
            let mut parts = e.trim().splitn(3, ':');
            let service = parts.next()?.to_string();
            let condition = match parts.next() {
                None | Some("") => Condition::ServiceStarted,
                Some(w) => condition(w)?,
            };
            let restart = parts.next().is_some_and(|r| r.eq_ignore_ascii_case("true"));
            Some(Dependency {
                service,
                condition,
                restart,
            })
        })
        .collect()
}

/// The services' dependency graph from their containers' labels (a service's first
/// container speaks for it), for starting, stopping and restarting in compose's order
/// without the files.
pub fn graph(containers: &[Existing]) -> Graph {
    let services: BTreeSet<&str> = containers.iter().map(|c| c.service.as_str()).collect();
    let mut deps = BTreeMap::new();
    for c in containers {
        deps.entry(c.service.clone()).or_insert_with(|| {
            let label = c.labels.get(labels::DEPENDS_ON).map_or("", String::as_str);
            dependencies(label)
                .into_iter()
                .filter(|d| services.contains(d.service.as_str()))
                .map(|d| (d.service, d.condition))
                .collect()
        });
    }
    Graph { deps }
}

/// The project as `berth compose config` prints it (YAML).
pub fn config_yaml(p: &Project) -> Result<String, String> {
    serde_saphyr::to_string(p).map_err(|e| format!("cannot print the project: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(service: &str, depends_on: &str) -> Existing {
        Existing {
            id: format!("id-{service}"),
            name: format!("cct-{service}-1"),
            service: service.into(),
            number: 1,
            oneoff: false,
            hash: String::new(),
            state: "running".into(),
            status: String::new(),
            image: "busybox".into(),
            image_id: String::new(),
            labels: HashMap::from([
                (labels::PROJECT.to_string(), "cct".to_string()),
                (labels::SERVICE.to_string(), service.to_string()),
                (labels::DEPENDS_ON.to_string(), depends_on.to_string()),
                (labels::WORKING_DIR.to_string(), "/srv/cct".to_string()),
                (
                    labels::CONFIG_FILES.to_string(),
                    "/srv/cct/compose.yaml,/srv/cct/compose.override.yaml".to_string(),
                ),
            ]),
        }
    }

    #[test]
    fn the_depends_on_label_reads_as_compose_writes_it() {
        let d = dependencies("db:service_healthy:false,init:service_completed_successfully:true");
        assert_eq!(
            d,
            vec![
                Dependency {
                    service: "db".into(),
                    condition: Condition::ServiceHealthy,
                    restart: false
                },
                Dependency {
                    service: "init".into(),
                    condition: Condition::ServiceCompletedSuccessfully,
                    restart: true
                },
            ]
        );
        assert!(dependencies("").is_empty());
        assert_eq!(
            dependencies("cache")[0].condition,
            Condition::ServiceStarted
        );
        // An unknown condition is not guessed at.
        assert!(dependencies("db:service_bored:false").is_empty());
    }

    #[test]
    fn the_graph_orders_services_from_labels_alone() {
        let cs = vec![
            member("web", "app:service_started:false"),
            member("app", "db:service_healthy:false,gone:service_started:false"),
            member("db", ""),
        ];
        let g = graph(&cs);
        let all: BTreeSet<String> = services_of(&cs).into_iter().collect();
        assert_eq!(
            g.levels(&all),
            vec![
                vec!["db".to_string()],
                vec!["app".into()],
                vec!["web".into()]
            ]
        );
        assert_eq!(g.stop_levels(&all)[0], vec!["web".to_string()]);
    }

    #[test]
    fn files_come_from_the_labels_and_their_absence_is_named() {
        let p = project_of(&[member("db", "")]).unwrap();
        assert_eq!(p.name, "cct");
        assert_eq!(p.working_dir, PathBuf::from("/srv/cct"));
        assert_eq!(p.config_files.len(), 2);
        let e = p.load_options(&[], BTreeMap::new()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the project's files are gone: /srv/cct/compose.yaml, /srv/cct/compose.override.yaml"
        );
        let mut stdin = p.clone();
        stdin.config_files = vec!["-".into()];
        assert_eq!(
            stdin.load_options(&[], BTreeMap::new()).err(),
            Some(ReloadError::Stdin)
        );
        assert_eq!(LabeledProject::of(&HashMap::new()), None);
    }

    #[test]
    fn a_project_loads_again_from_its_labels() {
        let d = tempfile::tempdir().unwrap();
        let file = d.path().join("compose.yaml");
        std::fs::write(
            &file,
            "services:\n  db:\n    image: busybox\n  tool:\n    image: busybox\n    profiles: [debug]\n",
        )
        .unwrap();
        let p = LabeledProject {
            name: "cct".into(),
            working_dir: d.path().to_path_buf(),
            config_files: vec![file],
            env_files: Vec::new(),
        };
        let opts = p.load_options(&["tool".into()], BTreeMap::new()).unwrap();
        let loaded = load(&opts).unwrap();
        assert_eq!(loaded.project.name(), "cct");
        // `tool` has a container, so its profile does not hide it.
        let names: Vec<&String> = loaded.project.services.keys().collect();
        assert_eq!(names, ["db", "tool"]);
        let yaml = config_yaml(&loaded.project).unwrap();
        assert!(yaml.starts_with("name: cct\n"), "{yaml}");
    }
}
