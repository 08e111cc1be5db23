//! What to watch: the selected services' `develop.watch` rules, checked as Compose
//! checks them before it watches anything, each with the paths it looks past (the build
//! context's `.dockerignore`, editors' scratch files, `.git`, the rule's `ignore:`) and
//! the ones it only looks at (`include:`). The loader has already made every rule's
//! `path` absolute against the project directory.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use berth_engine::build::context::Ignore;

use super::matcher::{self, Anchored, AnyOf};
use crate::compose::model::{MountType, Project, Service, ServiceHook, WatchAction, WatchRule};
use crate::compose::relocate::is_remote;
use crate::compose::run::{ComposeError, Result};

/// Compose's words when nothing selected has a watch rule.
pub const NOT_CONFIGURED: &str =
    "none of the selected services is configured for watch, consider setting a 'develop' section";

/// One watch rule of one service, ready to match changed paths.
#[derive(Debug, Clone)]
pub struct Rule {
    pub service: String,
    pub action: WatchAction,
    /// Absolute, as the loader left it.
    pub path: PathBuf,
    /// Where the rule's files go in the container (every action but rebuild and
    /// restart has one: the loader checks it).
    pub target: Option<String>,
    /// `sync+exec`'s command.
    pub exec: Option<ServiceHook>,
    /// Only these paths, when the rule names any.
    pub include: Option<Anchored>,
    pub ignore: AnyOf,
    pub initial_sync: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub rules: Vec<Rule>,
    /// Rules left out, in Compose's words (a sync of a bind-mounted path).
    pub warnings: Vec<String>,
}

impl Plan {
    /// Every rule's path, without those below another (what the watcher starts from).
    pub fn roots(&self) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = self.rules.iter().map(|r| r.path.clone()).collect();
        paths.sort();
        paths.dedup();
        let mut roots: Vec<PathBuf> = Vec::new();
        for p in paths {
            // Sorted, so a parent comes before its children.
            if !roots.iter().any(|r| matcher::is_child(r, &p)) {
                roots.push(p);
            }
        }
        roots
    }

    /// Whether no rule can care about anything below the directory `dir`: each rule
    /// whose path holds it ignores all of it. Saves inotify watches on `node_modules`.
    pub fn skips_dir(&self, dir: &Path) -> bool {
        let mut holding = self
            .rules
            .iter()
            .filter(|r| matcher::is_child(&r.path, dir) && r.path != dir)
            .peekable();
        holding.peek().is_some() && holding.all(|r| r.ignore.covers_dir(dir))
    }
}

/// The rules of `services` (the selection with its dependencies, as Compose widens it).
pub fn plan(project: &Project, services: &BTreeSet<String>) -> Result<Plan> {
    let mut out = Plan::default();
    for name in services {
        let Some(svc) = project.services.get(name) else {
            continue;
        };
        let Some(develop) = &svc.develop else {
            continue;
        };
        for w in &develop.watch {
            check(name, svc, w)?;
        }
        let context = context_ignore(name, svc)?;
        for w in &develop.watch {
            let path = PathBuf::from(&w.path);
            if is_sync(w.action) && bind_mounted(&path, svc) {
                out.warnings.push(format!(
                    "path '{}' also declared by a bind mount volume, this path won't be monitored!",
                    w.path
                ));
                continue;
            }
            out.rules.push(rule(name, w, path, context.clone())?);
        }
    }
    if out.rules.is_empty() {
        return Err(ComposeError::Invalid(NOT_CONFIGURED.into()));
    }
    Ok(out)
}

fn rule(service: &str, w: &WatchRule, path: PathBuf, context: Option<Anchored>) -> Result<Rule> {
    let bad = |what: &str, e: String| {
        ComposeError::Invalid(format!(
            "service {service:?}: watch rule for {:?}: {what}: {e}",
            w.path
        ))
    };
    let mut ignore = vec![
        matcher::ephemeral(),
        matcher::dot_git(&path),
        Anchored::new(&path, &w.ignore).map_err(|e| bad("ignore", e))?,
    ];
    ignore.extend(context);
    let include = if w.include.is_empty() {
        None
    } else {
        Some(Anchored::new(&path, &w.include).map_err(|e| bad("include", e))?)
    };
    Ok(Rule {
        service: service.to_string(),
        action: w.action,
        target: w.target.clone(),
        exec: w.exec.clone(),
        include,
        ignore: AnyOf(ignore),
        initial_sync: w.initial_sync,
        path,
    })
}

/// What Compose refuses before watching: a rebuild without a build, an exec without a
/// command.
fn check(name: &str, svc: &Service, w: &WatchRule) -> Result<()> {
    if w.action == WatchAction::Rebuild && svc.build.is_none() {
        return Err(ComposeError::Invalid(format!(
            "can't watch service {name:?} with action rebuild without a build context"
        )));
    }
    let command = w.exec.as_ref().and_then(|x| x.command.as_ref());
    let empty = command.is_none_or(|c| c.to_vec().map(|v| v.is_empty()).unwrap_or(true));
    if w.action == WatchAction::SyncExec && empty {
        return Err(ComposeError::Invalid(format!(
            "can't watch with action \"sync+exec\" on service {name} without a command"
        )));
    }
    Ok(())
}

/// The build context's `.dockerignore`, anchored at the context: what the build never
/// sees is no reason to sync or rebuild. None without a local build context.
fn context_ignore(name: &str, svc: &Service) -> Result<Option<Anchored>> {
    let Some(build) = &svc.build else {
        return Ok(None);
    };
    let context = build.context.clone().unwrap_or_else(|| ".".into());
    if is_remote(&context) {
        return Ok(None);
    }
    let root = Path::new(&context);
    let ignore = match std::fs::read_to_string(root.join(".dockerignore")) {
        Ok(text) => Ignore::parse(&text).map_err(|e| {
            ComposeError::Invalid(format!(
                "service {name:?}: error reading .dockerignore: {e}"
            ))
        })?,
        Err(_) => return Ok(None),
    };
    Ok(Some(Anchored::from_ignore(root, ignore)))
}

/// The actions that copy files into the container, which a bind mount makes pointless.
fn is_sync(a: WatchAction) -> bool {
    matches!(a, WatchAction::Sync | WatchAction::SyncRestart)
}

/// Whether `path` is at or below the source of one of the service's bind mounts.
fn bind_mounted(path: &Path, svc: &Service) -> bool {
    svc.volumes.iter().any(|v| {
        v.kind == MountType::Bind
            && v.source
                .as_deref()
                .is_some_and(|s| matcher::is_child(Path::new(s), path))
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::fs;

    use super::*;
    use crate::compose::load::{load, LoadOptions};

    fn project(dir: &Path, yaml: &str) -> Project {
        fs::write(dir.join("compose.yaml"), yaml).unwrap_or_else(|e| panic!("{e}"));
        let o = LoadOptions {
            working_dir: dir.to_path_buf(),
            process_env: BTreeMap::new(),
            ..Default::default()
        };
        load(&o)
            .unwrap_or_else(|e| panic!("load failed: {e}"))
            .project
    }

    fn all(p: &Project) -> BTreeSet<String> {
        p.services.keys().cloned().collect()
    }

    #[test]
    fn rules_with_their_paths_and_ignores() {
        let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let dir = d.path();
        fs::write(dir.join(".dockerignore"), "**/*.log\n").unwrap_or_else(|e| panic!("{e}"));
        let p = project(
            dir,
            "services:\n  web:\n    build: .\n    develop:\n      watch:\n        - {path: ./src, action: sync, target: /app, ignore: [tmp/]}\n        - {path: ./Dockerfile, action: rebuild}\n  db:\n    image: busybox\n",
        );
        let plan = plan(&p, &all(&p)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.rules.len(), 2);
        let sync = &plan.rules[0];
        assert_eq!(sync.service, "web");
        assert_eq!(sync.path, dir.join("src"));
        assert_eq!(sync.target.as_deref(), Some("/app"));
        // The rule's own ignore, the context's .dockerignore, editors' files, .git.
        for ignored in ["src/tmp/x", "src/a.log", "src/.a.swp", "src/.git/HEAD"] {
            assert!(sync.ignore.matches(&dir.join(ignored)), "{ignored}");
        }
        assert!(!sync.ignore.matches(&dir.join("src/main.go")));
        assert_eq!(plan.roots(), vec![dir.join("Dockerfile"), dir.join("src")]);
        assert!(plan.skips_dir(&dir.join("src/tmp")));
        assert!(!plan.skips_dir(&dir.join("src/lib")));
        // A directory no rule holds (an ancestor of a root) is never skipped here.
        assert!(!plan.skips_dir(dir));
    }

    #[test]
    fn what_compose_refuses() {
        let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let dir = d.path();
        let p = project(dir, "services:\n  db:\n    image: busybox\n");
        let e = plan(&p, &all(&p)).unwrap_err().to_string();
        assert_eq!(e, NOT_CONFIGURED);

        let p = project(
            dir,
            "services:\n  db:\n    image: busybox\n    develop:\n      watch:\n        - {path: ., action: rebuild}\n",
        );
        let e = plan(&p, &all(&p)).unwrap_err().to_string();
        assert_eq!(
            e,
            "can't watch service \"db\" with action rebuild without a build context"
        );

        let p = project(
            dir,
            "services:\n  db:\n    image: busybox\n    develop:\n      watch:\n        - {path: ., action: sync+exec, target: /x}\n",
        );
        let e = plan(&p, &all(&p)).unwrap_err().to_string();
        assert!(e.contains("without a command"), "{e}");

        // Only the selected services count.
        let p = project(
            dir,
            "services:\n  a:\n    image: busybox\n    develop:\n      watch: [{path: ., action: restart}]\n  b:\n    image: busybox\n",
        );
        let e = plan(&p, &BTreeSet::from(["b".to_string()])).unwrap_err();
        assert_eq!(e.to_string(), NOT_CONFIGURED);
        assert_eq!(plan(&p, &all(&p)).map(|p| p.rules.len()).ok(), Some(1));
    }

    #[test]
    fn a_bind_mounted_sync_is_left_out_with_a_warning() {
        let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let dir = d.path();
        let p = project(
            dir,
            "services:\n  web:\n    image: busybox\n    volumes: [./src:/app]\n    develop:\n      watch:\n        - {path: ./src/lib, action: sync, target: /app/lib}\n        - {path: ./src, action: restart}\n",
        );
        let plan = plan(&p, &all(&p)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.rules.len(), 1);
        assert_eq!(plan.rules[0].action, WatchAction::Restart);
        assert_eq!(
            plan.warnings,
            [format!(
                "path '{}' also declared by a bind mount volume, this path won't be monitored!",
                dir.join("src/lib").display()
            )]
        );
    }
}
