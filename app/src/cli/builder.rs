//! `berth builder prune`: the build cache through the engine interface, with Docker's
//! prompt unless `-f`.

use std::io::{BufRead, Write};

use clap::{Args, Subcommand};

use super::door::Door;
use super::CliResult;
use crate::format::human::human_size;

#[derive(Subcommand, Debug)]
pub enum BuilderCmd {
    /// Build an image from a Dockerfile
    Build(Box<super::build::BuildArgs>),
    /// Remove build cache
    Prune(PruneArgs),
}

#[derive(Args, Debug)]
pub struct PruneArgs {
    /// Remove all unused build cache (berth keeps no other kind: with or without -a, all of it goes)
    #[arg(short = 'a', long)]
    all: bool,
    /// Do not prompt for confirmation
    #[arg(short = 'f', long)]
    force: bool,
}

pub fn run(door: &Door, cmd: BuilderCmd) -> CliResult {
    match cmd {
        BuilderCmd::Build(a) => super::build::run(door, *a),
        BuilderCmd::Prune(a) => prune(door, a),
    }
}

fn prune(door: &Door, a: PruneArgs) -> CliResult {
    if !a.force {
        let what = if a.all { "all" } else { "all dangling" };
        print!("WARNING! This will remove {what} build cache. Are you sure you want to continue? [y/N] ");
        let _ = std::io::stdout().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            return Ok(0);
        }
    }
    let r = door.call(door.backend().build_prune())?;
    let deleted = r.caches_deleted.unwrap_or_default();
    if !deleted.is_empty() {
        println!("Deleted build cache objects:");
        for d in &deleted {
            println!("{d}");
        }
        println!();
    }
    println!(
        "Total reclaimed space: {}",
        human_size(r.space_reclaimed.unwrap_or(0).max(0) as u64)
    );
    Ok(0)
}
