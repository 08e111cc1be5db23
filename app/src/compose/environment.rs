//! The variables a project's files are interpolated with: the process environment, then
//! the `.env` file of the project directory (or the `--env-file` files, later ones
//! winning) for what the environment does not set, as Docker Compose reads them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::dotenv;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvError {
    #[error("couldn't find env file: {0}")]
    Missing(String),
    #[error("failed to read {path}: {message}")]
    Read { path: String, message: String },
    #[error("failed to read {path}: {error}")]
    Syntax {
        path: String,
        error: dotenv::DotenvError,
    },
}

#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// The process's own variables.
    pub process: BTreeMap<String, String>,
    /// What the env files add, by name.
    pub files: BTreeMap<String, String>,
}

impl Environment {
    /// `given` are `--env-file` paths (absolute); with none, `<project_dir>/.env` if it
    /// exists. A given file that is missing is an error, as in Compose.
    pub fn load(
        process: BTreeMap<String, String>,
        given: &[PathBuf],
        project_dir: &Path,
    ) -> Result<Environment, EnvError> {
        let mut env = Environment {
            process,
            files: BTreeMap::new(),
        };
        let default = project_dir.join(".env");
        let files: Vec<PathBuf> = if given.is_empty() {
            if default.is_file() {
                vec![default]
            } else {
                Vec::new()
            }
        } else {
            given.to_vec()
        };
        for f in files {
            if !f.exists() {
                return Err(EnvError::Missing(f.display().to_string()));
            }
            for (k, v) in read_env_file(&f, &|name| env.get(name))? {
                env.files.insert(k, v);
            }
        }
        Ok(env)
    }

    /// A variable: the process's first, then the env files'.
    pub fn get(&self, name: &str) -> Option<String> {
        self.process
            .get(name)
            .or_else(|| self.files.get(name))
            .cloned()
    }
}

/// One env file's variables (`.env`, a service's `env_file`), `lookup` resolving bare
/// names and interpolations.
pub fn read_env_file(
    path: &Path,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<(String, String)>, EnvError> {
    let text = std::fs::read_to_string(path).map_err(|e| EnvError::Read {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    dotenv::parse(&text, lookup).map_err(|error| EnvError::Syntax {
        path: path.display().to_string(),
        error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_process_environment_wins_over_the_env_file() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(
            d.path().join(".env"),
            "TAG=file\nONLY=file-only\nREF=${TAG}\n",
        )
        .unwrap();
        let process = BTreeMap::from([("TAG".to_string(), "shell".to_string())]);
        let env = Environment::load(process, &[], d.path()).unwrap();
        assert_eq!(env.get("TAG").as_deref(), Some("shell"));
        assert_eq!(env.get("ONLY").as_deref(), Some("file-only"));
        assert_eq!(env.get("REF").as_deref(), Some("shell"));
        assert_eq!(env.get("NONE"), None);
    }

    #[test]
    fn given_env_files_replace_the_default_and_must_exist() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join(".env"), "A=default\n").unwrap();
        std::fs::write(d.path().join("one.env"), "A=one\nB=one\n").unwrap();
        std::fs::write(d.path().join("two.env"), "B=two\n").unwrap();
        let given = [d.path().join("one.env"), d.path().join("two.env")];
        let env = Environment::load(BTreeMap::new(), &given, d.path()).unwrap();
        assert_eq!(env.get("A").as_deref(), Some("one"));
        assert_eq!(env.get("B").as_deref(), Some("two"));
        let missing = [d.path().join("nope.env")];
        let e = Environment::load(BTreeMap::new(), &missing, d.path()).unwrap_err();
        assert!(e.to_string().starts_with("couldn't find env file: "), "{e}");
        std::fs::write(d.path().join("bad.env"), "A=1\nB C=2\n").unwrap();
        let e =
            Environment::load(BTreeMap::new(), &[d.path().join("bad.env")], d.path()).unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
    }
}
