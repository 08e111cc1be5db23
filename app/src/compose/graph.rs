//! The services' `depends_on` as a graph: which can start now that others have (so that
//! independent services start together), and the reverse order for stopping. Pure data:
//! the caller says which services are wanted and what each waits for.

use std::collections::{BTreeMap, BTreeSet};

use super::model::Project;

pub use super::model::Condition;

/// How Compose writes a condition (`service_healthy`).
pub fn condition_name(c: Condition) -> &'static str {
    match c {
        Condition::ServiceStarted => "service_started",
        Condition::ServiceHealthy => "service_healthy",
        Condition::ServiceCompletedSuccessfully => "service_completed_successfully",
    }
}

/// service -> (dependency -> condition). Every service of the project is a key.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    pub deps: BTreeMap<String, BTreeMap<String, Condition>>,
}

impl Graph {
    /// The project's `depends_on`, dependencies that are not services left out.
    pub fn of(project: &Project) -> Graph {
        let deps = project
            .services
            .iter()
            .map(|(name, s)| {
                let d = s
                    .depends_on
                    .iter()
                    .filter(|(dep, _)| project.services.contains_key(*dep))
                    .map(|(dep, v)| (dep.clone(), v.condition))
                    .collect();
                (name.clone(), d)
            })
            .collect();
        Graph { deps }
    }

    /// `wanted` and everything they depend on, transitively (all services when empty).
    pub fn closure(&self, wanted: &[String]) -> BTreeSet<String> {
        if wanted.is_empty() {
            return self.deps.keys().cloned().collect();
        }
        let mut out = BTreeSet::new();
        let mut todo: Vec<String> = wanted.to_vec();
        while let Some(s) = todo.pop() {
            if !out.insert(s.clone()) {
                continue;
            }
            if let Some(d) = self.deps.get(&s) {
                todo.extend(d.keys().filter(|k| self.deps.contains_key(*k)).cloned());
            }
        }
        out
    }

    /// Services that depend on `of` (directly), for stopping them first.
    pub fn dependents(&self, of: &str) -> BTreeSet<String> {
        self.deps
            .iter()
            .filter(|(_, d)| d.contains_key(of))
            .map(|(s, _)| s.clone())
            .collect()
    }

    /// The services of `set` in start order, as levels: each level's services depend
    /// only on earlier levels (or on services outside `set`), so a level starts at once.
    /// A cycle (refused earlier by validation) ends the walk with what remains as one
    /// level.
    pub fn levels(&self, set: &BTreeSet<String>) -> Vec<Vec<String>> {
        let mut placed: BTreeSet<String> = BTreeSet::new();
        let mut levels = Vec::new();
        while placed.len() < set.len() {
            let level: Vec<String> = set
                .iter()
                .filter(|s| !placed.contains(*s))
                .filter(|s| {
                    self.deps.get(*s).is_none_or(|d| {
                        d.keys()
                            .all(|dep| placed.contains(dep) || !set.contains(dep))
                    })
                })
                .cloned()
                .collect();
            if level.is_empty() {
                levels.push(
                    set.iter()
                        .filter(|s| !placed.contains(*s))
                        .cloned()
                        .collect(),
                );
                break;
            }
            placed.extend(level.iter().cloned());
            levels.push(level);
        }
        levels
    }

    /// The stop order: the start levels reversed.
    pub fn stop_levels(&self, set: &BTreeSet<String>) -> Vec<Vec<String>> {
        let mut l = self.levels(set);
        l.reverse();
        l
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &[(&str, Condition)])]) -> Graph {
        Graph {
            deps: edges
                .iter()
                .map(|(s, d)| {
                    (
                        s.to_string(),
                        d.iter().map(|(n, c)| (n.to_string(), *c)).collect(),
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn levels_start_independent_services_together() {
        let g = graph(&[
            ("db", &[]),
            ("cache", &[]),
            ("seeder", &[("db", Condition::ServiceHealthy)]),
            (
                "app",
                &[
                    ("db", Condition::ServiceHealthy),
                    ("cache", Condition::ServiceStarted),
                ],
            ),
            ("web", &[("app", Condition::ServiceStarted)]),
        ]);
        let all = g.closure(&[]);
        assert_eq!(
            g.levels(&all),
            vec![
                vec!["cache".to_string(), "db".into()],
                vec!["app".into(), "seeder".into()],
                vec!["web".into()],
            ]
        );
        assert_eq!(g.stop_levels(&all)[0], vec!["web".to_string()]);
        assert_eq!(
            g.closure(&["web".into()]),
            BTreeSet::from(["web".into(), "app".into(), "db".into(), "cache".into()])
        );
        assert_eq!(
            g.dependents("db"),
            BTreeSet::from(["app".into(), "seeder".into()])
        );
        // Only the named service, its dependencies outside the set are not waited for.
        let just = BTreeSet::from(["web".to_string()]);
        assert_eq!(g.levels(&just), vec![vec!["web".to_string()]]);
    }

    #[test]
    fn conditions_are_named_as_compose_writes_them() {
        assert_eq!(condition_name(Condition::ServiceHealthy), "service_healthy");
        let json = serde_json::to_value(Condition::ServiceCompletedSuccessfully).unwrap();
        assert_eq!(
            json,
            condition_name(Condition::ServiceCompletedSuccessfully)
        );
    }
}
