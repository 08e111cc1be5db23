//! Build variables: which ARGs a stage has declared and what they hold, and how a word is
//! expanded (the stage's ENV first, then its ARGs; global ARGs only in FROM and where a
//! stage re-declares them). Every argument read is remembered, for the cache key of the
//! steps that see it and for Docker's "build-args were not consumed" warning.

use std::collections::{BTreeMap, BTreeSet};

use super::dockerfile;
use crate::error::{Error, Result};

/// Docker's predefined proxy arguments: usable without an ARG line, never recorded in
/// the image's history.
pub const PREDEFINED: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// BuildKit's automatic platform arguments, in the global scope from the start.
pub fn platform_args() -> Vec<(String, String)> {
    let arch = crate::image::host_arch().to_string();
    let platform = format!("linux/{arch}");
    let mut v = Vec::new();
    for prefix in ["TARGET", "BUILD"] {
        v.push((format!("{prefix}PLATFORM"), platform.clone()));
        v.push((format!("{prefix}OS"), "linux".to_string()));
        v.push((format!("{prefix}ARCH"), arch.clone()));
        v.push((format!("{prefix}VARIANT"), String::new()));
    }
    v
}

/// The arguments a build was given and which of them were read.
#[derive(Debug, Default)]
pub struct Given {
    values: BTreeMap<String, Option<String>>,
    consumed: BTreeSet<String>,
}

impl Given {
    pub fn new(values: BTreeMap<String, Option<String>>) -> Self {
        Given {
            values,
            consumed: BTreeSet::new(),
        }
    }

    fn take(&mut self, name: &str) -> Option<Option<String>> {
        let v = self.values.get(name).cloned()?;
        self.consumed.insert(name.to_string());
        Some(v)
    }

    /// Given arguments no ARG line declared, for the warning.
    pub fn unconsumed(&self) -> Vec<String> {
        self.values
            .keys()
            .filter(|k| !self.consumed.contains(*k) && !PREDEFINED.contains(&k.as_str()))
            .cloned()
            .collect()
    }

    /// A predefined argument's value, when given.
    pub fn predefined(&self) -> Vec<(String, String)> {
        PREDEFINED
            .iter()
            .filter_map(|k| match self.values.get(*k) {
                Some(Some(v)) => Some((k.to_string(), v.clone())),
                _ => None,
            })
            .collect()
    }
}

/// One scope of arguments: the global one (before the first FROM) or a stage's.
#[derive(Debug, Clone, Default)]
pub struct Args {
    /// Declared names in order, with their value (None: declared, no value).
    declared: Vec<(String, Option<String>)>,
}

impl Args {
    /// The global scope: the automatic platform arguments.
    pub fn global() -> Self {
        Args {
            declared: platform_args()
                .into_iter()
                .map(|(k, v)| (k, Some(v)))
                .collect(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Option<String>> {
        self.declared
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// `ARG name[=default]`: a given value wins over the default; with neither, a
    /// stage inherits the global scope's value of that name.
    pub fn declare(
        &mut self,
        name: &str,
        default: Option<String>,
        given: &mut Given,
        global: Option<&Args>,
    ) {
        let value = match given.take(name) {
            Some(Some(v)) => Some(v),
            _ => default.or_else(|| global.and_then(|g| g.get(name).cloned().flatten())),
        };
        self.declared.push((name.to_string(), value));
    }

    /// Arguments with values, as RUN sees them (`K=V`, declaration order, last wins).
    pub fn values(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for (k, v) in &self.declared {
            let Some(v) = v else { continue };
            out.retain(|(o, _)| o != k);
            out.push((k.clone(), v.clone()));
        }
        out
    }
}

/// Expand a word as Docker does for this instruction: `env` (the stage's config Env)
/// wins over `args`.
pub fn expand(word: &str, escape: char, env: &[String], args: &Args) -> Result<String> {
    let mut lookup = |name: &str| lookup(name, env, args);
    dockerfile::expand_word(word, escape, &mut lookup).map_err(|e| Error::invalid(e.to_string()))
}

/// As [`expand`], split into words on unquoted whitespace.
pub fn expand_words(word: &str, escape: char, env: &[String], args: &Args) -> Result<Vec<String>> {
    let mut lookup = |name: &str| lookup(name, env, args);
    dockerfile::expand_words(word, escape, &mut lookup).map_err(|e| Error::invalid(e.to_string()))
}

fn lookup(name: &str, env: &[String], args: &Args) -> Option<String> {
    for e in env.iter().rev() {
        if let Some((k, v)) = e.split_once('=') {
            if k == name {
                return Some(v.to_string());
            }
        }
    }
    args.get(name).cloned().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_value_beats_default_and_stage_inherits_global() {
        let mut given = Given::new(BTreeMap::from([("A".into(), Some("given".into()))]));
        let mut global = Args::global();
        global.declare("V", Some("1.0".into()), &mut given, None);
        let mut stage = Args::default();
        stage.declare("A", Some("default".into()), &mut given, Some(&global));
        stage.declare("V", None, &mut given, Some(&global));
        stage.declare("B", Some("b".into()), &mut given, Some(&global));
        assert_eq!(
            stage.values(),
            vec![
                ("A".to_string(), "given".to_string()),
                ("V".to_string(), "1.0".to_string()),
                ("B".to_string(), "b".to_string())
            ]
        );
        assert!(given.unconsumed().is_empty());
    }

    #[test]
    fn env_wins_over_arg() {
        let mut given = Given::default();
        let mut args = Args::default();
        args.declare("X", Some("arg".into()), &mut given, None);
        assert_eq!(
            lookup("X", &["X=env".into()], &args).as_deref(),
            Some("env")
        );
        assert_eq!(lookup("X", &[], &args).as_deref(), Some("arg"));
        assert_eq!(lookup("Y", &[], &args), None);
    }

    #[test]
    fn unconsumed_names_given_args_nobody_declared() {
        let given = Given::new(BTreeMap::from([
            ("NOPE".into(), Some("1".into())),
            ("HTTP_PROXY".into(), Some("x".into())),
        ]));
        assert_eq!(given.unconsumed(), vec!["NOPE".to_string()]);
        assert_eq!(given.predefined().len(), 1);
    }
}
