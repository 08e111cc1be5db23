//! The loader: from command-line options to a typed, validated project, one small step
//! after another as compose-go runs them. Each file is parsed, interpolated, put in
//! canonical form and has its `extends` resolved; the files are merged in order;
//! `include`d projects are added; the result is normalized, validated and typed. Every
//! error names the file and line it comes from and the key path.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::environment::{EnvError, Environment};
use super::extends::{self, ExtendsError};
use super::merge::{merge, settle};
use super::model::{self, Project};
use super::normalize::{normalize, Context, NormalizeError};
use super::project_files::{self, FilesError, Source};
use super::relocate::{relocate_all, relocate_extends_files};
use super::shape::{canonical, ShapeError};
use super::substitute::{missing_warning, substitute, SubstituteError};
use super::tree::{self, Node, Origin, ParseError, Value};
use super::validate::{validate, ValidateError};

/// What the command line says about the project.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `-f`, in order (`-` is standard input).
    pub files: Vec<String>,
    /// `-p`.
    pub project_name: Option<String>,
    pub project_directory: Option<PathBuf>,
    pub env_files: Vec<PathBuf>,
    pub profiles: Vec<String>,
    /// Services named on the command line (active whatever their profiles).
    pub services: Vec<String>,
    pub working_dir: PathBuf,
    pub process_env: BTreeMap<String, String>,
    /// What `-f -` reads.
    pub stdin: Option<String>,
}

/// A loaded project and what was learned on the way.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub project: Project,
    pub files: Vec<Source>,
    pub dir: PathBuf,
    pub environment: Environment,
    /// Compose's warnings (unset variables, the obsolete `version`), in order.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Files(#[from] FilesError),
    #[error(transparent)]
    Env(#[from] EnvError),
    #[error("{path}: {message}")]
    Read { path: String, message: String },
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error(transparent)]
    Substitute(#[from] SubstituteError),
    #[error(transparent)]
    Shape(#[from] ShapeError),
    #[error(transparent)]
    Extends(#[from] ExtendsError),
    #[error(transparent)]
    Normalize(#[from] NormalizeError),
    #[error(transparent)]
    Validate(#[from] ValidateError),
    /// An `include` that cannot be added, or a type error of the model.
    #[error("{at}: {message}")]
    At { at: Origin, message: String },
}

pub fn load(opts: &LoadOptions) -> Result<Loaded, LoadError> {
    let separator = opts
        .process_env
        .get("COMPOSE_PATH_SEPARATOR")
        .map_or(":", String::as_str);
    let (files, found_warning) = project_files::find(
        &opts.files,
        opts.process_env.get("COMPOSE_FILE").map(String::as_str),
        separator,
        &opts.working_dir,
    )?;
    let dir =
        project_files::project_dir(opts.project_directory.as_deref(), &files, &opts.working_dir);
    let environment = Environment::load(opts.process_env.clone(), &opts.env_files, &dir)?;
    let mut warnings: Vec<String> = found_warning.into_iter().collect();
    let mut missing = BTreeSet::new();
    let tree = load_tree(
        &files,
        &dir,
        &environment,
        opts,
        &mut missing,
        &mut warnings,
    )?;
    warnings.extend(missing.iter().map(|v| missing_warning(v)));

    let name = project_name(opts, &environment, &tree, &dir)?;
    let mut profiles: BTreeSet<String> = opts.profiles.iter().cloned().collect();
    if profiles.is_empty() {
        if let Some(p) = environment.get("COMPOSE_PROFILES") {
            profiles.extend(p.split(',').filter(|s| !s.is_empty()).map(str::to_string));
        }
    }
    let named: BTreeSet<String> = opts.services.iter().cloned().collect();
    let lookup = |n: &str| environment.get(n);
    let cx = Context {
        name: &name,
        dir: &dir,
        profiles: &profiles,
        named: &named,
        lookup: &lookup,
    };
    let tree = normalize(tree, &cx)?;
    validate(&tree)?;
    let project = typed(&tree)?;
    Ok(Loaded {
        project,
        files,
        dir,
        environment,
        warnings,
    })
}

/// The files of a project (or of an included one) as one merged tree, `include`s added.
fn load_tree(
    files: &[Source],
    dir: &Path,
    env: &Environment,
    opts: &LoadOptions,
    missing: &mut BTreeSet<String>,
    warnings: &mut Vec<String>,
) -> Result<Node, LoadError> {
    let mut merged: Option<Node> = None;
    for f in files {
        let text = match f {
            Source::Stdin => opts.stdin.clone().unwrap_or_default(),
            Source::Path(p) => read(p)?,
        };
        let mut t = one_file(&f.name(), &text, env, missing, warnings)?;
        let file_dir = match f {
            Source::Path(p) => p.parent().unwrap_or(dir),
            Source::Stdin => dir,
        };
        relocate_extends_files(&mut t, file_dir);
        let mut load_other = |p: &Path| -> Result<Node, String> {
            let text = read(p).map_err(|e| e.to_string())?;
            let mut ignored = Vec::new();
            let mut t = one_file(&p.display().to_string(), &text, env, missing, &mut ignored)
                .map_err(|e| e.to_string())?;
            relocate_extends_files(&mut t, p.parent().unwrap_or(Path::new("/")));
            Ok(t)
        };
        extends::resolve(&mut t, &mut load_other)?;
        merged = Some(match merged {
            None => t,
            Some(m) => merge(m, t),
        });
    }
    let mut tree = settle(merged.unwrap_or_else(|| {
        let at = Origin {
            file: "-".into(),
            line: 1,
        };
        Node::new(Value::Map(BTreeMap::new()), at)
    }));
    include(&mut tree, dir, env, opts, missing, warnings)?;
    Ok(tree)
}

/// One file: parsed, interpolated, canonical.
fn one_file(
    name: &str,
    text: &str,
    env: &Environment,
    missing: &mut BTreeSet<String>,
    warnings: &mut Vec<String>,
) -> Result<Node, LoadError> {
    let mut t = tree::parse(name, text)?;
    if t.get("version").is_some() {
        warnings.push(format!(
            "{name}: the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion"
        ));
    }
    substitute(&mut t, &|v| env.get(v), missing)?;
    Ok(canonical(t)?)
}

fn read(p: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(p).map_err(|e| LoadError::Read {
        path: p.display().to_string(),
        message: e.to_string(),
    })
}

/// Top-level `include`: each entry is a project of its own (its files, its directory,
/// its env file), whose services and resources join this one; a name both define is an
/// error, as in Compose.
fn include(
    tree: &mut Node,
    dir: &Path,
    env: &Environment,
    opts: &LoadOptions,
    missing: &mut BTreeSet<String>,
    warnings: &mut Vec<String>,
) -> Result<(), LoadError> {
    let Some(entries) = tree.as_map_mut().and_then(|m| m.remove("include")) else {
        return Ok(());
    };
    for entry in entries.as_seq().into_iter().flatten() {
        let strings = |n: Option<&Node>| -> Vec<String> {
            match n {
                Some(n) => match &n.value {
                    Value::Seq(items) => items.iter().filter_map(Node::scalar_text).collect(),
                    _ => n.scalar_text().into_iter().collect(),
                },
                None => Vec::new(),
            }
        };
        let paths = match &entry.value {
            Value::Str(s) => vec![s.clone()],
            _ => strings(entry.get("path")),
        };
        let files: Vec<Source> = paths
            .iter()
            .map(|p| Source::Path(project_files::absolute(dir, Path::new(p))))
            .collect();
        let Some(Source::Path(first)) = files.first() else {
            return Err(LoadError::At {
                at: entry.at.clone(),
                message: "include: an entry needs a path".into(),
            });
        };
        let sub_dir = match entry.get("project_directory").and_then(Node::as_str) {
            Some(d) => project_files::absolute(dir, Path::new(d)),
            None => first.parent().unwrap_or(dir).to_path_buf(),
        };
        let env_files: Vec<PathBuf> = strings(entry.get("env_file"))
            .iter()
            .map(|p| project_files::absolute(dir, Path::new(p)))
            .collect();
        let sub_env = Environment::load(env.process.clone(), &env_files, &sub_dir)?;
        let mut sub = load_tree(&files, &sub_dir, &sub_env, opts, missing, warnings)?;
        relocate_all(&mut sub, &sub_dir);
        add_included(tree, sub, &entry.at)?;
    }
    Ok(())
}

fn add_included(tree: &mut Node, sub: Node, at: &Origin) -> Result<(), LoadError> {
    let Value::Map(sections) = sub.value else {
        return Ok(());
    };
    let Some(top) = tree.as_map_mut() else {
        return Ok(());
    };
    for (kind, section) in sections {
        let Value::Map(entries) = section.value else {
            continue;
        };
        if !matches!(
            kind.as_str(),
            "services" | "networks" | "volumes" | "secrets" | "configs"
        ) {
            continue;
        }
        let target = top
            .entry(kind.clone())
            .or_insert_with(|| Node::new(Value::Map(BTreeMap::new()), at.clone()));
        if matches!(target.value, Value::Null) {
            target.value = Value::Map(BTreeMap::new());
        }
        let Some(target) = target.as_map_mut() else {
            continue;
        };
        for (name, v) in entries {
            if target.contains_key(&name) {
                return Err(LoadError::At {
                    at: at.clone(),
                    message: format!("{kind}.{name} conflicts with imported resource"),
                });
            }
            target.insert(name, v);
        }
    }
    Ok(())
}

/// `-p`, `COMPOSE_PROJECT_NAME`, the files' `name:` (each must be valid as given), else
/// the project directory's name, normalized.
fn project_name(
    opts: &LoadOptions,
    env: &Environment,
    tree: &Node,
    dir: &Path,
) -> Result<String, LoadError> {
    let given = opts
        .project_name
        .clone()
        .filter(|n| !n.is_empty())
        .or_else(|| env.get("COMPOSE_PROJECT_NAME").filter(|n| !n.is_empty()))
        .or_else(|| {
            tree.get("name")
                .and_then(Node::scalar_text)
                .filter(|n| !n.is_empty())
        });
    if let Some(n) = given {
        return Ok(project_files::check_name(&n)?);
    }
    let base = dir
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = project_files::normalize_name(&base);
    if name.is_empty() {
        return Err(FilesError::BadName(base).into());
    }
    Ok(name)
}

/// The typed model, its errors placed at the key the files wrote (an unknown key at its
/// own line), else at the nearest key path above.
fn typed(tree: &Node) -> Result<Project, LoadError> {
    let mut origins = BTreeMap::new();
    let json = tree.to_json("", &mut origins);
    model::from_json(json).map_err(|e| {
        let exact = e.unknown_key().map(|k| tree::join(&e.path, k));
        let mut path = exact.as_deref().unwrap_or(e.path.as_str());
        let at = loop {
            if let Some(o) = origins.get(path) {
                break o.clone();
            }
            match path.rfind(['.', '[']) {
                Some(i) => path = &path[..i],
                None => break tree.at.clone(),
            }
        };
        LoadError::At {
            at,
            message: e.to_string(),
        }
    })
}
