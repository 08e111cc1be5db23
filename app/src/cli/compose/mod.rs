//! `berth compose` and `berth-compose`: Docker Compose v2's command line over the compose
//! loader and the engine interface.

pub mod args;
mod config;
mod events;
mod lifecycle;
mod logs;
mod printer;
mod ps;
mod run_cmd;
mod service_cmds;
mod watch;

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
        ComposeCmd::Up(u) => lifecycle::up_cmd(door, &a, u),
        ComposeCmd::Create(c) => lifecycle::create_cmd(door, &a, c),
        ComposeCmd::Down(d) => lifecycle::down_cmd(door, &a, d),
        ComposeCmd::Start(s) => lifecycle::start_cmd(door, &a, s),
        ComposeCmd::Stop(t) => lifecycle::stop_cmd(door, &a, t),
        ComposeCmd::Restart(t) => lifecycle::restart_cmd(door, &a, t),
        ComposeCmd::Kill(k) => lifecycle::kill_cmd(door, &a, k),
        ComposeCmd::Rm(r) => lifecycle::rm_cmd(door, &a, r),
        ComposeCmd::Pause(s) => lifecycle::pause_cmd(door, &a, s),
        ComposeCmd::Unpause(s) => lifecycle::unpause_cmd(door, &a, s),
        ComposeCmd::Ps(p) => ps::ps_cmd(door, &a, p),
        ComposeCmd::Ls(l) => ps::ls_cmd(door, l),
        ComposeCmd::Version(v) => ps::version_cmd(v),
        ComposeCmd::Logs(l) => logs_cmd(door, &a, l),
        ComposeCmd::Exec(e) => service_cmds::exec_cmd(door, &a, e),
        ComposeCmd::Run(r) => run_cmd::run_cmd(door, &a, r),
        ComposeCmd::Events(e) => events::events_cmd(door, &a, e),
        ComposeCmd::Port(p) => service_cmds::port_cmd(door, &a, p),
        ComposeCmd::Top(s) => service_cmds::top_cmd(door, &a, s),
        ComposeCmd::Images(i) => service_cmds::images_cmd(door, &a, i),
        ComposeCmd::Build(bld) => service_cmds::build_cmd(door, &a, bld),
        ComposeCmd::Pull(p) => service_cmds::pull_cmd(door, &a, p),
        ComposeCmd::Push(p) => service_cmds::push_cmd(door, &a, p),
        ComposeCmd::Watch(w) => watch::watch_cmd(door, &a, w),
    }
}

/// `compose logs`: the selected services' containers as one stream.
fn logs_cmd(door: &Door, a: &ComposeArgs, l: args::LogsArgs) -> CliResult {
    let mut cs = lifecycle::selected(door, a, &l.services)?;
    if let Some(i) = l.index {
        cs.retain(|c| c.number == i);
    }
    let now = chrono::Local::now();
    let nanos = |flag: &str, v: &Option<String>| -> Result<Option<i64>, Failure> {
        v.as_deref()
            .map(|s| crate::format::since::parse_since(s, &now))
            .transpose()
            .map_err(|e| Failure::from(format!("invalid value for --{flag}: {e}")))
            .map(|t| t.and_then(|t| t.timestamp_nanos_opt()))
    };
    let tail = match l.tail.as_str() {
        "all" | "-1" => None,
        n => Some(n.parse().map_err(|_| {
            Failure::from(format!(
                "invalid value for --tail: {n:?} is not a number or \"all\""
            ))
        })?),
    };
    let query = crate::backend::LogsQuery {
        follow: l.follow,
        stdout: true,
        stderr: true,
        since: nanos("since", &l.since)?,
        until: nanos("until", &l.until)?,
        timestamps: l.timestamps,
        tail,
        details: false,
    };
    let prefixes = logs::Prefixes::new(&cs, l.no_color, l.no_log_prefix);
    door.block_on(async {
        tokio::select! {
            _ = logs::print(door.backend(), &cs, query, &prefixes) => {},
            _ = tokio::signal::ctrl_c() => {},
        }
    });
    Ok(0)
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
