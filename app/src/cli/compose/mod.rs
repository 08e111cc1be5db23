//! `berth compose` and `berth-compose`: Docker Compose v2's command line over the compose
//! loader and the engine interface.

pub mod args;
mod config;

use std::collections::BTreeMap;
use std::io::Read;

use args::{ComposeArgs, ComposeCmd};

use super::door::Door;
use super::{CliResult, Failure};
use crate::compose::load::{load, LoadOptions, Loaded};

pub fn run(door: &Door, a: ComposeArgs) -> CliResult {
    let Some(cmd) = a.cmd.clone() else {
        return Err(Failure::usage(
            "Usage:  berth compose [OPTIONS] COMMAND\n\nRun 'berth compose --help' for more information",
        ));
    };
    match cmd {
        ComposeCmd::Config(c) => config::run(&a, c),
        _ => {
            let _ = door;
            Err(Failure::from("this compose command is not available yet"))
        }
    }
}

/// Load the project the global flags name; warnings go to stderr as Compose prints them.
pub fn project(a: &ComposeArgs, services: &[String]) -> Result<Loaded, Failure> {
    let working_dir = std::env::current_dir()
        .map_err(|e| Failure::from(format!("cannot read the working directory: {e}")))?;
    let stdin = if a.files.iter().any(|f| f == "-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::from(format!("reading the compose file from stdin: {e}")))?;
        Some(text)
    } else {
        None
    };
    let opts = LoadOptions {
        files: a.files.clone(),
        project_name: a.project_name.clone(),
        project_directory: a.project_directory.clone(),
        env_files: a
            .env_files
            .iter()
            .map(|p| crate::compose::project_files::absolute(&working_dir, p))
            .collect(),
        profiles: a.profiles.clone(),
        services: services.to_vec(),
        working_dir,
        process_env: std::env::vars().collect::<BTreeMap<_, _>>(),
        stdin,
    };
    let loaded = load(&opts).map_err(|e| Failure::from(e.to_string()))?;
    for w in &loaded.warnings {
        eprintln!("WARN[0000] {w}");
    }
    Ok(loaded)
}
