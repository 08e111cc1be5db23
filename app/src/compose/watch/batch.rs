//! A batch of changed paths turned into what to do, service by service, as Compose's
//! `handleWatchBatch` sorts it: each path is offered to every rule; a rule that takes
//! it (below its path, included, not ignored) asks for a rebuild, a copy to its target,
//! a restart, or a copy and a command. A service being rebuilt is only rebuilt: its new
//! containers start from an image that already holds the files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use berth_engine::build::context::clean_path;

use super::matcher;
use super::plan::Rule;
use crate::compose::model::WatchAction;

/// A changed host path and where it goes in the container.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Mapping {
    pub host: PathBuf,
    pub container: String,
}

/// What a batch asks for, by service.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actions {
    pub rebuild: BTreeSet<String>,
    pub sync: BTreeMap<String, Vec<Mapping>>,
    pub restart: BTreeSet<String>,
    /// Indexes of the `sync+exec` rules to run, each once per batch.
    pub exec: BTreeMap<String, BTreeSet<usize>>,
}

impl Actions {
    pub fn is_empty(&self) -> bool {
        self.rebuild.is_empty()
            && self.sync.is_empty()
            && self.restart.is_empty()
            && self.exec.is_empty()
    }
}

/// Where `rule` puts `path`, if the rule takes it.
pub fn mapping(rule: &Rule, path: &Path) -> Option<Mapping> {
    if !matcher::is_child(&rule.path, path) {
        return None;
    }
    if rule.include.as_ref().is_some_and(|i| !i.matches(path)) {
        return None;
    }
    if rule.ignore.matches(path) {
        return None;
    }
    let container = match &rule.target {
        Some(target) => {
            let rel = matcher::rel(&rule.path, path).unwrap_or_default();
            clean_path(&format!("{target}/{rel}"))
        }
        None => String::new(),
    };
    Some(Mapping {
        host: path.to_path_buf(),
        container,
    })
}

pub fn classify(batch: &[PathBuf], rules: &[Rule]) -> Actions {
    let mut a = Actions::default();
    for path in batch {
        for (i, rule) in rules.iter().enumerate() {
            let Some(m) = mapping(rule, path) else {
                continue;
            };
            let s = rule.service.clone();
            match rule.action {
                WatchAction::Rebuild => {
                    a.rebuild.insert(s);
                }
                WatchAction::Restart => {
                    a.restart.insert(s);
                }
                WatchAction::Sync => a.sync.entry(s).or_default().push(m),
                WatchAction::SyncRestart => {
                    a.sync.entry(s.clone()).or_default().push(m);
                    a.restart.insert(s);
                }
                WatchAction::SyncExec => {
                    a.sync.entry(s.clone()).or_default().push(m);
                    a.exec.entry(s).or_default().insert(i);
                }
            }
        }
    }
    for s in &a.rebuild {
        a.sync.remove(s);
        a.restart.remove(s);
        a.exec.remove(s);
    }
    // Two rules mapping one file to one place copy it once.
    for list in a.sync.values_mut() {
        list.sort();
        list.dedup();
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::watch::matcher::{Anchored, AnyOf};

    fn rule(service: &str, action: WatchAction, path: &str, target: Option<&str>) -> Rule {
        Rule {
            service: service.into(),
            action,
            path: path.into(),
            target: target.map(Into::into),
            exec: None,
            include: None,
            ignore: AnyOf::default(),
            initial_sync: false,
        }
    }

    fn paths(p: &[&str]) -> Vec<PathBuf> {
        p.iter().map(PathBuf::from).collect()
    }

    #[test]
    fn paths_map_below_the_target() {
        let r = rule("web", WatchAction::Sync, "/p/src", Some("/app/"));
        let m = |p: &str| mapping(&r, Path::new(p)).map(|m| m.container);
        assert_eq!(m("/p/src/a/b.txt").as_deref(), Some("/app/a/b.txt"));
        // A rule on one file maps it to the target itself.
        assert_eq!(m("/p/src").as_deref(), Some("/app"));
        assert_eq!(m("/p/srcx/a"), None);
        assert_eq!(m("/p/other"), None);
    }

    #[test]
    fn include_and_ignore() {
        let mut r = rule("web", WatchAction::Sync, "/p", Some("/app"));
        r.include = Some(Anchored::new(Path::new("/p"), &["*.go".into()]).unwrap());
        r.ignore = AnyOf(vec![
            Anchored::new(Path::new("/p"), &["gen_*.go".into()]).unwrap()
        ]);
        assert!(mapping(&r, Path::new("/p/main.go")).is_some());
        assert!(mapping(&r, Path::new("/p/README.md")).is_none());
        assert!(mapping(&r, Path::new("/p/gen_x.go")).is_none());
    }

    #[test]
    fn a_batch_by_service_and_action() {
        let rules = vec![
            rule("web", WatchAction::Sync, "/p/web", Some("/app")),
            rule(
                "web",
                WatchAction::SyncRestart,
                "/p/web/conf",
                Some("/etc/web"),
            ),
            rule("web", WatchAction::Sync, "/p/web/conf", Some("/etc/web")),
            rule("api", WatchAction::SyncExec, "/p/api", Some("/srv")),
            rule("worker", WatchAction::Restart, "/p/shared", None),
            rule("api", WatchAction::Rebuild, "/p/api/deps.txt", None),
        ];
        let a = classify(
            &paths(&[
                "/p/web/a.js",
                "/p/web/conf/x.conf",
                "/p/shared/lib",
                "/p/api/x.py",
            ]),
            &rules,
        );
        assert_eq!(
            a.sync["web"],
            vec![
                Mapping {
                    host: "/p/web/a.js".into(),
                    container: "/app/a.js".into()
                },
                Mapping {
                    host: "/p/web/conf/x.conf".into(),
                    container: "/app/conf/x.conf".into()
                },
                Mapping {
                    host: "/p/web/conf/x.conf".into(),
                    container: "/etc/web/x.conf".into()
                },
            ]
        );
        assert_eq!(a.sync["api"].len(), 1);
        assert_eq!(a.exec["api"], BTreeSet::from([3]));
        assert_eq!(
            a.restart,
            BTreeSet::from(["web".to_string(), "worker".to_string()])
        );
        assert!(a.rebuild.is_empty());

        // A rebuild of api takes over its sync and exec.
        let a = classify(&paths(&["/p/api/x.py", "/p/api/deps.txt"]), &rules);
        assert_eq!(a.rebuild, BTreeSet::from(["api".to_string()]));
        assert!(a.sync.is_empty() && a.exec.is_empty());
        assert!(classify(&paths(&["/elsewhere"]), &rules).is_empty());
    }
}
