//! `compose up`, `down`, `create`, and the commands that act on a project's existing
//! containers: `start`, `stop`, `restart`, `kill`, `rm`, `pause`, `unpause`.

use std::collections::BTreeMap;
use std::time::Duration;

use bollard::query_parameters as q;

use super::args::{
    ComposeArgs, CreateArgs, DownArgs, KillArgs, RmArgs, ServicesArgs, TimeoutArgs, UpArgs,
};
use super::logs::{self, Prefixes};
use super::printer;
use super::project;
use crate::backend::{Backend, LogsQuery};
use crate::cli::door::Door;
use crate::cli::{CliResult, Failure};
use crate::compose::run::down::{down, DownOptions};
use crate::compose::run::images::{BuildPolicy, ImageOptions};
use crate::compose::run::state::{self, Existing};
use crate::compose::run::up::{up, UpOptions};
use crate::compose::run::ComposeError;

/// A compose error as the CLI prints it: the message, then a failed dependency's log.
pub fn failure(e: ComposeError) -> Failure {
    match e {
        ComposeError::Dependency { message, log } if !log.is_empty() => {
            Failure::from(format!("{message}\n{}", log.join("\n")))
        }
        other => Failure::from(other.to_string()),
    }
}

fn scale(specs: &[String]) -> Result<BTreeMap<String, u32>, Failure> {
    specs
        .iter()
        .map(|s| {
            let (k, v) = s
                .split_once('=')
                .ok_or_else(|| Failure::usage(format!("invalid --scale {s:?}: use SERVICE=NUM")))?;
            let n = v.parse().map_err(|_| {
                Failure::usage(format!("invalid --scale {s:?}: {v:?} is not a number"))
            })?;
            Ok((k.to_string(), n))
        })
        .collect()
}

pub fn up_cmd(door: &Door, a: &ComposeArgs, u: UpArgs) -> CliResult {
    if u.build && u.no_build {
        return Err(Failure::usage("--build and --no-build are incompatible"));
    }
    if u.force_recreate && u.no_recreate {
        return Err(Failure::usage(
            "--force-recreate and --no-recreate are incompatible",
        ));
    }
    let loaded = project(a, &u.services)?;
    let detach = u.detach || u.wait;
    let opts = UpOptions {
        services: u.services.clone(),
        no_deps: u.no_deps,
        images: ImageOptions {
            build: if u.build {
                BuildPolicy::Always
            } else if u.no_build {
                BuildPolicy::Never
            } else {
                BuildPolicy::Missing
            },
            pull: u.pull.clone(),
            ..Default::default()
        },
        force_recreate: u.force_recreate,
        no_recreate: u.no_recreate,
        remove_orphans: u.remove_orphans,
        scale: scale(&u.scale)?,
        no_start: u.no_start,
        wait: u.wait,
        wait_timeout: u.wait_timeout.map(Duration::from_secs),
        stop_timeout: u.timeout.map(|t| t as i64),
    };
    let b = door.backend();
    let containers = door
        .block_on(up(b, &loaded, &opts, &printer::print))
        .map_err(failure)?;
    if detach || u.no_start {
        return Ok(0);
    }
    attached(door, containers, &u)
}

/// `up` without `-d`: the containers' logs until they all stop; Ctrl-C stops the
/// project (a second one kills it); `--abort-on-container-exit` stops it when one exits.
fn attached(door: &Door, containers: Vec<Existing>, u: &UpArgs) -> CliResult {
    let b = door.backend();
    let shown: Vec<Existing> = containers
        .into_iter()
        .filter(|c| !c.oneoff && (u.services.is_empty() || u.services.contains(&c.service)))
        .collect();
    let prefixes = Prefixes::new(&shown, u.no_color, u.no_log_prefix);
    let query = LogsQuery {
        follow: true,
        stdout: true,
        stderr: true,
        ..Default::default()
    };
    let abort = u.abort_on_container_exit || u.exit_code_from.is_some();
    let outcome = door.block_on(async {
        let logs = logs::print(b, &shown, query, &prefixes);
        let exited = first_exit(b, &shown, abort);
        tokio::select! {
            _ = logs => Ended::AllStopped,
            _ = tokio::signal::ctrl_c() => Ended::Interrupted,
            e = exited => e,
        }
    });
    let timeout = u.timeout.map(|t| t as i64);
    match outcome {
        Ended::Interrupted => {
            eprintln!("Gracefully stopping... (press Ctrl+C again to force)");
            let stopped = door.block_on(async {
                tokio::select! {
                    r = stop_all(b, &shown, timeout) => Some(r),
                    _ = tokio::signal::ctrl_c() => None,
                }
            });
            match stopped {
                Some(r) => r?,
                None => {
                    for c in &shown {
                        let _ = door.block_on(b.container_kill(&c.id, "SIGKILL"));
                    }
                }
            }
            Ok(130)
        }
        Ended::Exited(service) => {
            eprintln!("{service} exited");
            eprintln!("Aborting on container exit...");
            door.block_on(stop_all(b, &shown, timeout))?;
            exit_code(door, &shown, u)
        }
        Ended::AllStopped => exit_code(door, &shown, u),
    }
}

/// Stop every container at once, each within its grace period.
async fn stop_all(
    b: &dyn Backend,
    shown: &[Existing],
    timeout: Option<i64>,
) -> Result<(), Failure> {
    use crate::compose::run::progress::{Kind, Progress};
    let stops = shown.iter().map(|c| async move {
        printer::print(Progress::status(Kind::Container, &c.name, "Stopping"));
        let r = b.container_stop(&c.id, None, timeout).await;
        printer::print(Progress::status(Kind::Container, &c.name, "Stopped"));
        r
    });
    for r in futures_util::future::join_all(stops).await {
        r.map_err(Failure::from)?;
    }
    Ok(())
}

enum Ended {
    AllStopped,
    Interrupted,
    Exited(String),
}

/// With `abort`, the first container of `shown` that stops.
async fn first_exit(b: &dyn Backend, shown: &[Existing], abort: bool) -> Ended {
    if !abort {
        return std::future::pending().await;
    }
    loop {
        for c in shown {
            if let Ok(i) = b.container_inspect(&c.id, false).await {
                if !i.state.and_then(|s| s.running).unwrap_or(false) {
                    return Ended::Exited(c.service.clone());
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// `--exit-code-from S`: S's exit code; otherwise 0.
fn exit_code(door: &Door, shown: &[Existing], u: &UpArgs) -> CliResult {
    let Some(s) = &u.exit_code_from else {
        return Ok(0);
    };
    let Some(c) = shown.iter().find(|c| &c.service == s) else {
        return Err(Failure::from(format!("no such service: {s}")));
    };
    let i = door.call(door.backend().container_inspect(&c.id, false))?;
    Ok(i.state.and_then(|s| s.exit_code).unwrap_or(0).clamp(0, 255) as u8)
}

pub fn create_cmd(door: &Door, a: &ComposeArgs, c: CreateArgs) -> CliResult {
    up_cmd(
        door,
        a,
        UpArgs {
            build: c.build,
            no_build: c.no_build,
            force_recreate: c.force_recreate,
            no_recreate: c.no_recreate,
            remove_orphans: c.remove_orphans,
            scale: c.scale,
            no_start: true,
            detach: true,
            services: c.services,
            ..Default::default()
        },
    )
}

pub fn down_cmd(door: &Door, a: &ComposeArgs, d: DownArgs) -> CliResult {
    if let Some(r) = &d.rmi {
        if r != "local" && r != "all" {
            return Err(Failure::usage(format!("invalid value for --rmi: {r:?}")));
        }
    }
    let (name, loaded) = name_and_project(a)?;
    let opts = DownOptions {
        volumes: d.volumes,
        rmi: d.rmi,
        remove_orphans: d.remove_orphans,
        timeout: d.timeout.map(|t| t as i64),
        services: d.services,
    };
    door.block_on(down(
        door.backend(),
        &name,
        loaded.as_ref().map(|l| &l.project),
        &opts,
        &printer::print,
    ))
    .map_err(failure)?;
    Ok(0)
}

/// The project's name, and its model when its files can be read: `down`, `ps`, `logs`
/// and the like work from labels alone when `-p` names a project without files here.
pub fn name_and_project(
    a: &ComposeArgs,
) -> Result<(String, Option<crate::compose::load::Loaded>), Failure> {
    match project(a, &[]) {
        Ok(l) => Ok((l.project.name().to_string(), Some(l))),
        Err(e) => match &a.project_name {
            Some(p) if a.files.is_empty() => Ok((p.clone(), None)),
            _ => Err(e),
        },
    }
}

/// The project's containers of the named services (all when none are named).
pub fn selected(
    door: &Door,
    a: &ComposeArgs,
    services: &[String],
) -> Result<Vec<Existing>, Failure> {
    let (name, _) = name_and_project(a)?;
    let all = door
        .block_on(state::containers(door.backend(), &name))
        .map_err(failure)?;
    Ok(all
        .into_iter()
        .filter(|c| !c.oneoff && (services.is_empty() || services.contains(&c.service)))
        .collect())
}

/// What `each` does to one container.
type Act<'a> = Box<
    dyn Fn(
            &'a dyn Backend,
            &'a Existing,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<(), crate::backend::BackendError>> + 'a>,
        > + 'a,
>;

/// One action on each selected container, with Compose's progress words.
fn each<'a>(
    door: &'a Door,
    containers: &'a [Existing],
    doing: &str,
    done: &str,
    act: Act<'a>,
) -> CliResult {
    use crate::compose::run::progress::{Kind, Progress};
    let b = door.backend();
    for c in containers {
        printer::print(Progress::status(Kind::Container, &c.name, doing));
        door.block_on(act(b, c))?;
        printer::print(Progress::status(Kind::Container, &c.name, done));
    }
    Ok(0)
}

pub fn start_cmd(door: &Door, a: &ComposeArgs, s: ServicesArgs) -> CliResult {
    let cs = selected(door, a, &s.services)?;
    let cs: Vec<Existing> = cs.into_iter().filter(|c| !c.running()).collect();
    each(
        door,
        &cs,
        "Starting",
        "Started",
        Box::new(|b, c| Box::pin(b.container_start(&c.id))),
    )
}

pub fn stop_cmd(door: &Door, a: &ComposeArgs, t: TimeoutArgs) -> CliResult {
    let mut cs = selected(door, a, &t.services)?;
    cs.retain(Existing::running);
    cs.reverse();
    let timeout = t.timeout.map(|t| t as i64);
    each(
        door,
        &cs,
        "Stopping",
        "Stopped",
        Box::new(move |b, c| Box::pin(b.container_stop(&c.id, None, timeout))),
    )
}

pub fn restart_cmd(door: &Door, a: &ComposeArgs, t: TimeoutArgs) -> CliResult {
    let cs = selected(door, a, &t.services)?;
    let timeout = t.timeout.map(|t| t as i64);
    each(
        door,
        &cs,
        "Restarting",
        "Started",
        Box::new(move |b, c| Box::pin(b.container_restart(&c.id, None, timeout))),
    )
}

pub fn kill_cmd(door: &Door, a: &ComposeArgs, k: KillArgs) -> CliResult {
    let mut cs = selected(door, a, &k.services)?;
    cs.retain(Existing::running);
    let signal = k.signal.clone();
    each(
        door,
        &cs,
        "Killing",
        "Killed",
        Box::new(move |b, c| {
            let signal = signal.clone();
            Box::pin(async move { b.container_kill(&c.id, &signal).await })
        }),
    )
}

pub fn pause_cmd(door: &Door, a: &ComposeArgs, s: ServicesArgs) -> CliResult {
    let cs = selected(door, a, &s.services)?;
    each(
        door,
        &cs,
        "Pausing",
        "Paused",
        Box::new(|b, c| Box::pin(b.container_pause(&c.id))),
    )
}

pub fn unpause_cmd(door: &Door, a: &ComposeArgs, s: ServicesArgs) -> CliResult {
    let cs = selected(door, a, &s.services)?;
    each(
        door,
        &cs,
        "Unpausing",
        "Unpaused",
        Box::new(|b, c| Box::pin(b.container_unpause(&c.id))),
    )
}

pub fn rm_cmd(door: &Door, a: &ComposeArgs, r: RmArgs) -> CliResult {
    let (name, _) = name_and_project(a)?;
    let cs = selected(door, a, &r.services)?;
    if r.stop {
        let running: Vec<Existing> = cs.iter().filter(|c| c.running()).cloned().collect();
        each(
            door,
            &running,
            "Stopping",
            "Stopped",
            Box::new(|b, c| Box::pin(b.container_stop(&c.id, None, None))),
        )?;
    }
    let now = door
        .block_on(state::containers(door.backend(), &name))
        .map_err(failure)?;
    let stopped: Vec<Existing> = now
        .into_iter()
        .filter(|c| cs.iter().any(|s| s.id == c.id) && !c.running())
        .collect();
    if stopped.is_empty() {
        eprintln!("No stopped containers");
        return Ok(0);
    }
    let names: Vec<&str> = stopped.iter().map(|c| c.name.as_str()).collect();
    let msg = format!("Going to remove {}", names.join(", "));
    if r.force {
        eprintln!("{msg}");
    } else if !confirm(&msg) {
        return Ok(0);
    }
    let volumes = r.volumes;
    each(
        door,
        &stopped,
        "Removing",
        "Removed",
        Box::new(move |b, c| {
            Box::pin(b.container_remove(
                &c.id,
                q::RemoveContainerOptions {
                    v: volumes,
                    force: true,
                    ..Default::default()
                },
            ))
        }),
    )
}

/// Compose's question before `rm` without `-f`: yes only when the answer says so (an
/// empty answer, or none at all from a closed stdin, is no).
fn confirm(msg: &str) -> bool {
    use std::io::{BufRead, Write};
    eprint!("? {msg} (y/N) ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}
