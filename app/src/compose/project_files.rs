//! Which files make a project, where it lives and what it is called, as Docker Compose
//! decides: `-f` files (or `COMPOSE_FILE`), else `compose.yaml` and its kin found in the
//! working directory or its parents, plus the override file beside it; the project
//! directory (`--project-directory`, else the first file's); the name from `-p`,
//! `COMPOSE_PROJECT_NAME`, the files' top-level `name:`, or the directory, normalized.

use std::path::{Path, PathBuf};

/// The names Compose looks for, in its order of preference.
pub const DEFAULT_FILES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

const OVERRIDE_FILES: [&str; 4] = [
    "compose.override.yaml",
    "compose.override.yml",
    "docker-compose.override.yaml",
    "docker-compose.override.yml",
];

/// One file of a project: a path, or standard input (`-f -`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Path(PathBuf),
    Stdin,
}

impl Source {
    /// How errors and `config_files` labels name it.
    pub fn name(&self) -> String {
        match self {
            Source::Path(p) => p.display().to_string(),
            Source::Stdin => "-".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilesError {
    #[error("no configuration file provided: not found")]
    NotFound,
    #[error("open {0}: no such file or directory")]
    Missing(String),
    #[error(
        "invalid project name {0:?}: must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number"
    )]
    BadName(String),
}

/// The files to read: `explicit` (`-f`, in order) or `compose_file` (`COMPOSE_FILE`,
/// split on `separator`), else found from `working_dir` upwards. Also returns a warning
/// when several default names sit side by side.
pub fn find(
    explicit: &[String],
    compose_file: Option<&str>,
    separator: &str,
    working_dir: &Path,
) -> Result<(Vec<Source>, Option<String>), FilesError> {
    let named: Vec<String> = if !explicit.is_empty() {
        explicit.to_vec()
    } else if let Some(list) = compose_file.filter(|l| !l.is_empty()) {
        list.split(separator)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    } else {
        Vec::new()
    };
    if !named.is_empty() {
        let mut out = Vec::new();
        for n in named {
            if n == "-" {
                out.push(Source::Stdin);
                continue;
            }
            let p = absolute(working_dir, Path::new(&n));
            if !p.is_file() {
                return Err(FilesError::Missing(p.display().to_string()));
            }
            out.push(Source::Path(p));
        }
        return Ok((out, None));
    }
    let mut dir = Some(working_dir);
    while let Some(d) = dir {
        let present: Vec<PathBuf> = DEFAULT_FILES
            .iter()
            .map(|n| d.join(n))
            .filter(|p| p.is_file())
            .collect();
        if let Some(first) = present.first() {
            let warning = (present.len() > 1).then(|| {
                let names: Vec<String> = present.iter().map(|p| p.display().to_string()).collect();
                format!(
                    "Found multiple config files with supported names: {}\nUsing {}",
                    names.join(", "),
                    first.display()
                )
            });
            let mut out = vec![Source::Path(first.clone())];
            if let Some(o) = OVERRIDE_FILES
                .iter()
                .map(|n| d.join(n))
                .find(|p| p.is_file())
            {
                out.push(Source::Path(o));
            }
            return Ok((out, warning));
        }
        dir = d.parent();
    }
    Err(FilesError::NotFound)
}

/// The project directory: as given, else the first file's directory, else (stdin) the
/// working directory.
pub fn project_dir(given: Option<&Path>, files: &[Source], working_dir: &Path) -> PathBuf {
    if let Some(g) = given {
        return absolute(working_dir, g);
    }
    match files.first() {
        Some(Source::Path(p)) => p
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| working_dir.to_path_buf()),
        _ => working_dir.to_path_buf(),
    }
}

/// `p` against `base` unless absolute; `~/` against `$HOME`.
pub fn absolute(base: &Path, p: &Path) -> PathBuf {
    if let Ok(rest) = p.strip_prefix("~") {
        if let Some(home) = std::env::var_os("HOME") {
            return PathBuf::from(home).join(rest);
        }
    }
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        clean(&base.join(p))
    }
}

/// `a/./b/../c` -> `a/c`, without touching the disk (as Go's filepath.Clean).
pub fn clean(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Compose's normalization of a name taken from a directory or a file: lower case, only
/// `a-z 0-9 _ -`, no leading `_` or `-`.
pub fn normalize_name(s: &str) -> String {
    let kept: String = s
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-')
        .collect();
    kept.trim_start_matches(['_', '-']).to_string()
}

/// A name the user gave (`-p`, `COMPOSE_PROJECT_NAME`, `name:`) must already be valid.
pub fn check_name(s: &str) -> Result<String, FilesError> {
    let valid = !s.is_empty()
        && s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if valid {
        Ok(s.to_string())
    } else {
        Err(FilesError::BadName(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn finds_files_upwards_with_their_override() {
        let d = tempfile::tempdir().unwrap();
        let sub = d.path().join("a/b");
        fs::create_dir_all(&sub).unwrap();
        fs::write(d.path().join("docker-compose.yml"), "services: {}\n").unwrap();
        fs::write(d.path().join("docker-compose.override.yml"), "{}\n").unwrap();
        let (files, warning) = find(&[], None, ":", &sub).unwrap();
        assert_eq!(
            files,
            vec![
                Source::Path(d.path().join("docker-compose.yml")),
                Source::Path(d.path().join("docker-compose.override.yml"))
            ]
        );
        assert_eq!(warning, None);
        fs::write(d.path().join("compose.yaml"), "services: {}\n").unwrap();
        let (files, warning) = find(&[], None, ":", &sub).unwrap();
        assert_eq!(files[0], Source::Path(d.path().join("compose.yaml")));
        assert!(warning.unwrap().contains("Using"));
        assert_eq!(project_dir(None, &files, &sub), d.path());
    }

    #[test]
    fn explicit_files_and_compose_file() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("a.yml"), "{}\n").unwrap();
        fs::write(d.path().join("b.yml"), "{}\n").unwrap();
        let (f, _) = find(&["a.yml".into(), "-".into()], None, ":", d.path()).unwrap();
        assert_eq!(f, vec![Source::Path(d.path().join("a.yml")), Source::Stdin]);
        let (f, _) = find(&[], Some("a.yml:b.yml"), ":", d.path()).unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(
            find(&["nope.yml".into()], None, ":", d.path()),
            Err(FilesError::Missing(
                d.path().join("nope.yml").display().to_string()
            ))
        );
        let empty = tempfile::tempdir().unwrap();
        let far = empty.path().join("x");
        fs::create_dir(&far).unwrap();
        // The temp dir's parents hold no compose file.
        assert_eq!(find(&[], None, ":", &far), Err(FilesError::NotFound));
    }

    #[test]
    fn names_are_normalized_or_checked() {
        assert_eq!(normalize_name("My_App.v2"), "my_appv2");
        assert_eq!(normalize_name("-_Web"), "web");
        assert_eq!(check_name("cct"), Ok("cct".into()));
        assert!(check_name("Cct").is_err());
        assert!(check_name("_x").is_err());
        assert!(check_name("").is_err());
    }

    #[test]
    fn paths_are_cleaned_against_the_base() {
        let base = Path::new("/srv/app");
        assert_eq!(
            absolute(base, Path::new("./data/../x")),
            PathBuf::from("/srv/app/x")
        );
        assert_eq!(absolute(base, Path::new("/etc")), PathBuf::from("/etc"));
    }
}
