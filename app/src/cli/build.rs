//! `berth build` / `berth image build`: the client half of `docker build`. The context
//! (a directory filtered by its `.dockerignore`, or a tar or a lone Dockerfile on stdin)
//! goes to the backend as a tar, as Docker's CLI sends it; the backend's progress comes
//! back and `build_progress` draws it.

use std::collections::BTreeMap;
use std::fs;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use clap::Args;

use super::build_progress::{Mode, Progress};
use super::door::{read_stream, Door};
use super::{CliResult, Failure};
use crate::backend::BuildRequest;
use crate::build_context::{self, Dockerfile};

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
    req.registry_auths = crate::client_auth::all_auths();
    let (tar, dockerfile) = context_tar(&a.context, a.file.as_deref())?;
    req.dockerfile = dockerfile;
    // The docker CLI's first line on a Docker engine (the classic builder's upload).
    if !door.is_local() && mode != Mode::Quiet {
        println!(
            "Sending build context to Docker daemon  {}",
            crate::format::human::human_size_with_precision(tar.len() as f64, 4)
        );
    }
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
            // The docker CLI exits with the failed step's code (1 when none is given).
            let code = progress
                .failed_code
                .filter(|c| (1..=255).contains(c))
                .map_or(1, |c| c as u8);
            Ok(code)
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

/// The context as a tar, and the Dockerfile's name inside it: a directory packed as
/// Docker's CLI packs it, or stdin (a tar, or a lone Dockerfile).
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
        if build_context::is_archive(&input) {
            return Ok((input, file.unwrap_or("Dockerfile").to_string()));
        }
        // A Dockerfile alone: a context that holds only it.
        let tar = build_context::one_file_tar("Dockerfile", &input).map_err(Failure::from)?;
        return Ok((tar, "Dockerfile".into()));
    }
    let dockerfile = match file {
        None => Dockerfile::Default,
        Some("-") => {
            let mut text = Vec::new();
            std::io::stdin()
                .read_to_end(&mut text)
                .map_err(|e| Failure::from(format!("reading the Dockerfile from stdin: {e}")))?;
            Dockerfile::Text(text)
        }
        Some(f) => Dockerfile::Path(f.into()),
    };
    build_context::pack(Path::new(context), dockerfile)
        .map_err(|e| Failure::from(format!("ERROR: {e}")))
}
