//! `compose watch [--no-up] [--prune] [--quiet] [SERVICE...]`: as Docker Compose v2, the
//! project brought up first (services with both a build and a `develop` section built
//! anew), then their `develop.watch` rules followed until Ctrl-C, which ends the watch
//! and leaves the containers running. The rules are checked before `up`, so a project
//! without any creates nothing.

use super::args::{ComposeArgs, WatchArgs};
use super::lifecycle::failure;
use super::printer;
use super::project;
use crate::cli::door::Door;
use crate::cli::{CliResult, Failure};
use crate::compose::graph::Graph;
use crate::compose::run::progress::Progress;
use crate::compose::run::up::{up, UpOptions};
use crate::compose::watch::{plan, watch, WatchOptions};

pub fn watch_cmd(door: &Door, a: &ComposeArgs, w: WatchArgs) -> CliResult {
    let loaded = project(a, &w.services)?;
    for s in &w.services {
        if !loaded.project.services.contains_key(s) {
            return Err(Failure::from(format!("no such service: {s}")));
        }
    }
    // Compose watches the named services and what they depend on.
    let selected = Graph::of(&loaded.project).closure(&w.services);
    let plan = plan(&loaded.project, &selected).map_err(failure)?;
    let b = door.backend();
    let quiet = w.quiet;
    let print = move |p: Progress| {
        if !(quiet && matches!(p, Progress::Output(_))) {
            printer::print(p)
        }
    };
    if !w.no_up {
        // What is watched runs what its files say now: its image is built, not reused.
        let mut fresh = loaded.clone();
        for svc in fresh.project.services.values_mut() {
            if svc.build.is_some() && svc.develop.is_some() {
                svc.pull_policy = Some("build".into());
            }
        }
        let opts = UpOptions {
            services: w.services.clone(),
            ..Default::default()
        };
        door.block_on(up(b, &fresh, &opts, &print))
            .map_err(failure)?;
    }
    let opts = WatchOptions {
        prune: w.prune,
        quiet: w.quiet,
    };
    let interrupted = async {
        // Without a signal handler there is nothing to wait for: watch until killed.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    // Compose prints the watch's own lines on stdout; progress stays on stderr.
    let say = |p: Progress| match p {
        Progress::Output(line) => println!("{line}"),
        other => printer::print(other),
    };
    door.block_on(watch(b, &loaded, &plan, &opts, &say, interrupted))
        .map_err(failure)?;
    // Ended by Ctrl-C, as Compose's canceled command ends.
    Ok(130)
}
