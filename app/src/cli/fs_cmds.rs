//! Filesystem commands on containers: `diff`, `export` and `commit` (`cp` has its own
//! module), through the engine interface.

use std::io::Write;
use std::path::PathBuf;

use bollard::models as m;
use bollard::query_parameters as q;
use clap::{ArgAction, Args};

use super::door::Door;
use super::CliResult;

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Write to a file, instead of STDOUT
    #[arg(short = 'o', long)]
    output: Option<PathBuf>,
    container: String,
}

#[derive(Args, Debug)]
pub struct CommitArgs {
    /// Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")
    #[arg(short = 'a', long)]
    author: Option<String>,
    /// Commit message
    #[arg(short = 'm', long)]
    message: Option<String>,
    /// Apply Dockerfile instruction to the created image
    #[arg(short = 'c', long = "change")]
    changes: Vec<String>,
    /// Pause container during commit
    #[arg(short = 'p', long, default_value_t = true, action = ArgAction::Set,
          num_args = 0..=1, default_missing_value = "true")]
    pause: bool,
    container: String,
    /// REPOSITORY[:TAG]
    reference: Option<String>,
}

/// `diff` through the engine interface: Docker's `C /etc` lines.
pub fn diff(door: &Door, container: &str) -> CliResult {
    for change in door.call(door.backend().container_changes(container))? {
        let letter = match change.kind {
            m::ChangeType::_1 => 'A',
            m::ChangeType::_2 => 'D',
            m::ChangeType::_0 => 'C',
        };
        println!("{letter} {}", change.path);
    }
    Ok(0)
}

fn stdout_is_terminal() -> bool {
    // SAFETY: isatty on a constant descriptor.
    unsafe { libc::isatty(1) == 1 }
}

/// `export` through the engine interface: the container's filesystem as a tar, to a
/// file or to stdout (never to a terminal).
pub fn export(door: &Door, a: ExportArgs) -> CliResult {
    use futures_util::StreamExt;
    let mut tar = door.call(door.backend().container_export(&a.container))?;
    let mut out: Box<dyn Write> =
        match &a.output {
            Some(path) => Box::new(std::fs::File::create(path).map_err(|e| {
                format!("failed to export container: create {}: {e}", path.display())
            })?),
            None if stdout_is_terminal() => {
                return Err(
                    "cowardly refusing to save to a terminal. Use the -o flag or redirect".into(),
                )
            }
            None => Box::new(std::io::stdout().lock()),
        };
    door.block_on(async {
        while let Some(chunk) = tar.next().await {
            out.write_all(&chunk?)
                .map_err(|e| format!("failed to export container: {e}"))?;
        }
        out.flush()
            .map_err(|e| format!("failed to export container: {e}"))?;
        Ok::<_, super::Failure>(())
    })?;
    if let Some(path) = &a.output {
        std::fs::File::open(path)
            .and_then(|f| f.sync_all())
            .map_err(|e| format!("failed to export container: write {}: {e}", path.display()))?;
    }
    Ok(0)
}

/// `commit` through the engine interface: the reference goes whole as the repository
/// (the interface splits off its tag) and the changes as Dockerfile lines.
pub fn commit(door: &Door, a: CommitArgs) -> CliResult {
    let opts = q::CommitContainerOptions {
        container: Some(a.container.clone()),
        repo: a.reference,
        tag: None,
        comment: a.message,
        author: a.author,
        pause: a.pause,
        changes: (!a.changes.is_empty()).then(|| a.changes.join("\n")),
    };
    let config = m::ContainerConfig::default();
    let id = door.call(door.backend().image_commit(&a.container, opts, config))?;
    println!("{}", id.id);
    Ok(0)
}
