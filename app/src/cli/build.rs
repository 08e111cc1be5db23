//! `berth build` / `berth image build`: the client half of `docker build`. The context
//! (a directory filtered by its `.dockerignore`, or a tar or a lone Dockerfile on stdin)
//! goes to the backend as a tar, as Docker's CLI sends it; the backend's progress comes
//! back and `build_progress` draws it.

use std::collections::BTreeMap;
use std::fs;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use berth_engine::build::context::Ignore;
use clap::Args;

use super::build_progress::{Mode, Progress};
use super::door::{read_stream, Door};
use super::{CliResult, Failure};
use crate::backend::BuildRequest;

#[derive(Args, Debug)]
pub struct BuildArgs {
    /// Name and optionally a tag in the "name:tag" format
    #[arg(short = 't', long = "tag")]
    tags: Vec<String>,
    /// Name of the Dockerfile (default: "PATH/Dockerfile"); "-" reads it from stdin
    #[arg(short = 'f', long = "file")]
    file: Option<String>,
    /// Set build-time variables
    #[arg(long = "build-arg")]
    build_args: Vec<String>,
    /// Set the target build stage to build
    #[arg(long)]
    target: Option<String>,
    /// Do not use cache when building the image
    #[arg(long = "no-cache")]
    no_cache: bool,
    /// Always attempt to pull a newer version of the image
    #[arg(long)]
    pull: bool,
    /// Set metadata for an image
    #[arg(long = "label")]
    labels: Vec<String>,
    /// Set the networking mode for the RUN instructions during build (default, none, host, or a network)
    #[arg(long)]
    network: Option<String>,
    /// Secret to expose to the build (format: "id=mysecret,src=/local/secret")
    #[arg(long = "secret")]
    secrets: Vec<String>,
    /// Set type of progress output (auto, plain, tty, quiet)
    #[arg(long, default_value = "auto")]
    progress: String,
    /// Suppress the build output and print image ID on success
    #[arg(short = 'q', long)]
    quiet: bool,
    /// Set target platform for build
    #[arg(long)]
    platform: Option<String>,
    /// Build context: a directory, or "-" for a tar (or a Dockerfile) on stdin
    context: String,
}

pub fn run(door: &Door, a: BuildArgs) -> CliResult {
    let mode = match (a.quiet, a.progress.as_str()) {
        (true, _) | (_, "quiet") => Mode::Quiet,
        (_, "plain") => Mode::Plain,
        (_, "tty") => Mode::Tty,
        (_, "auto") if std::io::stderr().is_terminal() => Mode::Tty,
        (_, "auto") => Mode::Plain,
        (_, other) => {
            return Err(Failure::usage(format!(
                "invalid argument \"{other}\" for \"--progress\" flag: must be auto, plain, tty or quiet"
            )))
        }
    };
    let mut req = BuildRequest {
        tags: a.tags.clone(),
        target: a.target.clone(),
        no_cache: a.no_cache,
        pull: a.pull,
        network: a.network.clone(),
        platform: a.platform.clone(),
        quiet: mode == Mode::Quiet,
        ..Default::default()
    };
    for t in &a.tags {
        berth_engine::image::Reference::parse(t).map_err(|e| {
            Failure::usage(format!(
                "invalid argument \"{t}\" for \"-t, --tag\" flag: {e}"
            ))
        })?;
    }
    req.build_args = build_args(&a.build_args);
    req.labels = labels(&a.labels)?;
    req.secrets = secrets(&a.secrets)?;
    let (tar, dockerfile) = context_tar(&a.context, a.file.as_deref())?;
    req.dockerfile = dockerfile;
    let stream = door.call(
        door.backend()
            .image_build(req, read_stream(std::io::Cursor::new(tar))),
    )?;
    let mut progress = Progress::new(mode);
    let outcome = door.block_on(progress.pump(stream));
    match outcome {
        Ok(()) => Ok(0),
        Err(message) => {
            progress.failed(&message);
            Ok(1)
        }
    }
}

/// `K=V`, or `K` alone taking the value from this environment (unset: no value).
fn build_args(list: &[String]) -> BTreeMap<String, Option<String>> {
    list.iter()
        .map(|a| match a.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (a.clone(), std::env::var(a).ok()),
        })
        .collect()
}

fn labels(list: &[String]) -> Result<BTreeMap<String, String>, Failure> {
    Ok(list
        .iter()
        .map(|l| match l.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (l.clone(), String::new()),
        })
        .collect())
}

/// `id=ID,src=FILE` (also `source=`, and `type=file`); the file must exist.
fn secrets(list: &[String]) -> Result<BTreeMap<String, PathBuf>, Failure> {
    let mut out = BTreeMap::new();
    for s in list {
        let mut id = None;
        let mut src = None;
        for field in s.split(',') {
            match field.split_once('=') {
                Some(("id", v)) => id = Some(v.to_string()),
                Some(("src" | "source", v)) => src = Some(PathBuf::from(v)),
                Some(("type", "file")) => {}
                _ => {
                    return Err(Failure::usage(format!(
                        "invalid argument \"{s}\" for \"--secret\" flag: unexpected key in {field:?} (want id=ID,src=FILE)"
                    )))
                }
            }
        }
        let (Some(id), Some(src)) = (id, src) else {
            return Err(Failure::usage(format!(
                "invalid argument \"{s}\" for \"--secret\" flag: both id= and src= are needed"
            )));
        };
        let src = fs::canonicalize(&src)
            .map_err(|e| Failure::usage(format!("--secret id={id}: {}: {e}", src.display())))?;
        out.insert(id, src);
    }
    Ok(out)
}

/// The context as a tar, and the Dockerfile's name inside it.
fn context_tar(context: &str, file: Option<&str>) -> Result<(Vec<u8>, String), Failure> {
    if context == "-" {
        if file == Some("-") {
            return Err(Failure::usage(
                "invalid argument: can't use stdin for both build context and dockerfile",
            ));
        }
        let mut input = Vec::new();
        std::io::stdin()
            .read_to_end(&mut input)
            .map_err(|e| Failure::from(format!("reading the build context from stdin: {e}")))?;
        if is_archive(&input) {
            return Ok((input, file.unwrap_or("Dockerfile").to_string()));
        }
        // A Dockerfile alone: a context that holds only it.
        return Ok((one_file_tar("Dockerfile", &input)?, "Dockerfile".into()));
    }
    let dir = Path::new(context);
    if !dir.is_dir() {
        return Err(Failure::from(format!(
            "ERROR: unable to prepare context: path {context:?} not found"
        )));
    }
    if file.is_none() && !dir.join("Dockerfile").exists() {
        return Err(Failure::from(format!(
            "ERROR: unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat {}: no such file or directory",
            dir.join("Dockerfile").display()
        )));
    }
    let ignore = match fs::read_to_string(dir.join(".dockerignore")) {
        Ok(t) => {
            Ignore::parse(&t).map_err(|e| Failure::from(format!("ERROR: .dockerignore: {e}")))?
        }
        Err(_) => Ignore::parse("").map_err(|e| Failure::from(e.to_string()))?,
    };
    // A Dockerfile outside the context (or on stdin) travels in it under a name of its
    // own, as Docker's CLI sends it.
    let (extra, name) = match file {
        None => (None, "Dockerfile".to_string()),
        Some("-") => {
            let mut text = Vec::new();
            std::io::stdin()
                .read_to_end(&mut text)
                .map_err(|e| Failure::from(format!("reading the Dockerfile from stdin: {e}")))?;
            let name = format!(".dockerfile.{}", berth_engine::store::ids::random_hex(10));
            (Some((name.clone(), text)), name)
        }
        Some(f) => {
            let p = Path::new(f);
            let abs = fs::canonicalize(p).map_err(|e| {
                Failure::from(format!(
                    "ERROR: unable to prepare context: the Dockerfile ({f}) cannot be read: {e}"
                ))
            })?;
            let root = fs::canonicalize(dir).map_err(|e| Failure::from(e.to_string()))?;
            match abs.strip_prefix(&root) {
                Ok(rel) => (None, rel.to_string_lossy().into_owned()),
                Err(_) => {
                    let text =
                        fs::read(&abs).map_err(|e| Failure::from(format!("reading {f}: {e}")))?;
                    let name = format!(".dockerfile.{}", berth_engine::store::ids::random_hex(10));
                    (Some((name.clone(), text)), name)
                }
            }
        }
    };
    let mut out = Vec::new();
    {
        let mut t = tar::Builder::new(&mut out);
        t.follow_symlinks(false);
        let keep = [name.as_str(), ".dockerignore"];
        walk(&mut t, dir, "", &ignore, &keep).map_err(|e| {
            Failure::from(format!("ERROR: reading the build context {context}: {e}"))
        })?;
        if let Some((n, text)) = &extra {
            append_bytes(&mut t, n, text)
                .map_err(|e| Failure::from(format!("ERROR: adding the Dockerfile: {e}")))?;
        }
        t.finish().map_err(|e| Failure::from(e.to_string()))?;
    }
    Ok((out, name))
}

/// Everything under `dir` not excluded, sorted, symlinks as links.
fn walk(
    t: &mut tar::Builder<&mut Vec<u8>>,
    dir: &Path,
    rel: &str,
    ignore: &Ignore,
    keep: &[&str],
) -> std::io::Result<()> {
    let mut names: Vec<_> = fs::read_dir(dir.join(rel))?
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    names.sort();
    for n in names {
        let child = if rel.is_empty() {
            n.to_string_lossy().into_owned()
        } else {
            format!("{rel}/{}", n.to_string_lossy())
        };
        let path = dir.join(&child);
        let m = fs::symlink_metadata(&path)?;
        let excluded = ignore.excluded(&child) && !keep.contains(&child.as_str());
        if excluded && !(m.is_dir() && ignore.may_reinclude_below(&child)) {
            continue;
        }
        if !excluded {
            if m.is_dir() {
                t.append_dir(&child, &path)?;
            } else {
                t.append_path_with_name(&path, &child)?;
            }
        }
        if m.is_dir() {
            walk(t, dir, &child, ignore, keep)?;
        }
    }
    Ok(())
}

fn append_bytes(
    t: &mut tar::Builder<&mut Vec<u8>>,
    name: &str,
    data: &[u8],
) -> std::io::Result<()> {
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_mtime(0);
    h.set_entry_type(tar::EntryType::Regular);
    t.append_data(&mut h, name, data)
}

fn one_file_tar(name: &str, data: &[u8]) -> Result<Vec<u8>, Failure> {
    let mut out = Vec::new();
    {
        let mut t = tar::Builder::new(&mut out);
        append_bytes(&mut t, name, data).map_err(|e| Failure::from(e.to_string()))?;
        t.finish().map_err(|e| Failure::from(e.to_string()))?;
    }
    Ok(out)
}

/// A tar (plain or compressed) rather than a Dockerfile's text.
fn is_archive(b: &[u8]) -> bool {
    matches!(
        b,
        [0x1f, 0x8b, ..]
            | [0x42, 0x5a, 0x68, ..]
            | [0xfd, b'7', b'z', b'X', b'Z', 0x00, ..]
            | [0x28, 0xb5, 0x2f, 0xfd, ..]
    ) || (b.len() >= 262 && &b[257..262] == b"ustar")
}
