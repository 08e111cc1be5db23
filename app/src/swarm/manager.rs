//! The manager process (`berth __swarm-manager`): one per state root, detached, its
//! state all in the swarm records so that killing it loses nothing. Every half second
//! (sooner is never needed by people watching) it observes the task containers,
//! reconciles the records in one transaction, and carries out the container actions
//! through the engine interface. Any berth command that changes the swarm starts it
//! again when it is gone ([`ensure`]).

use std::collections::HashMap;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use berth_engine::store::lock::FileLock;
use berth_engine::swarm::task_files::{self, TaskFile};
use berth_engine::swarm::SwarmStore;
use berth_engine::{Config, Engine};
use bollard::models as m;
use bollard::query_parameters as q;

use super::mesh::{self, TaskNet};
use super::plan::{self, Action, Observed};
use super::task_container;
use crate::backend::local::{LocalBackend, Threads};
use crate::backend::{Backend, BackendError, Result};
use berth_engine::swarm::endpoints;
use berth_engine::swarm::mesh::Mesh;

fn run_dir(e: &Engine) -> PathBuf {
    e.paths.run.join("swarm")
}

fn lock_path(e: &Engine) -> PathBuf {
    run_dir(e).join("manager.lock")
}

fn pid_path(e: &Engine) -> PathBuf {
    run_dir(e).join("manager.pid")
}

fn io(what: &str, e: std::io::Error) -> BackendError {
    BackendError::internal(format!("{what}: {e}"))
}

/// Start the manager unless one runs (it holds its lock for as long as it lives).
pub fn ensure(e: &Engine) -> Result<()> {
    std::fs::create_dir_all(run_dir(e)).map_err(|x| io("create the swarm run directory", x))?;
    match FileLock::try_exclusive(&lock_path(e))? {
        None => Ok(()),
        Some(free) => {
            drop(free);
            let mut cmd = e.config.helper_command("__swarm-manager");
            // SAFETY: only async-signal-safe calls between fork and exec.
            unsafe {
                cmd.pre_exec(|| {
                    if libc::setsid() < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
            let mut child = cmd.spawn().map_err(|x| io("start the swarm manager", x))?;
            // It forks and its first process exits at once.
            let _ = child.wait();
            Ok(())
        }
    }
}

/// Stop the manager (SIGTERM, then SIGKILL after 10 s) and wait until it is gone.
pub fn stop(e: &Engine) -> Result<()> {
    let Ok(text) = std::fs::read_to_string(pid_path(e)) else {
        return Ok(());
    };
    let Ok(pid) = text.trim().parse::<i32>() else {
        return Ok(());
    };
    let pid = nix::unistd::Pid::from_raw(pid);
    let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
    let until = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if FileLock::try_exclusive(&lock_path(e))?.is_some() {
            let _ = std::fs::remove_file(pid_path(e));
            return Ok(());
        }
        if std::time::Instant::now() >= until {
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `berth __swarm-manager`: detach, hold the lock, reconcile until the swarm is gone.
pub fn main(config: Config) -> i32 {
    // The starter waits for this first process: fork and let it go.
    // SAFETY: single-threaded here (no runtime yet).
    match unsafe { nix::unistd::fork() } {
        Ok(nix::unistd::ForkResult::Parent { .. }) => return 0,
        Ok(nix::unistd::ForkResult::Child) => {}
        Err(_) => return 1,
    }
    let engine = Engine {
        monitor_launch: berth_engine::container::start::MonitorLaunch::Exec,
        ..Engine::with_config(Arc::new(config))
    };
    let _ = std::fs::create_dir_all(run_dir(&engine));
    let Ok(Some(_lock)) = FileLock::try_exclusive(&lock_path(&engine)) else {
        // Another manager runs.
        return 0;
    };
    let _ = std::fs::write(pid_path(&engine), std::process::id().to_string());
    let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    else {
        return 1;
    };
    let backend = LocalBackend::new(engine.clone(), Threads::Pool);
    rt.block_on(async {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        // The mesh last applied (none yet: the first pass applies it whole).
        let mut applied: Option<Mesh> = None;
        loop {
            match pass(&backend, &engine, &mut applied).await {
                Ok(true) => {}
                // The swarm is gone (left): nothing more to do.
                Ok(false) => break,
                Err(_) => {}
            }
            let sleep = tokio::time::sleep(Duration::from_millis(500));
            match term.as_mut() {
                Some(t) => {
                    tokio::select! {
                        _ = sleep => {}
                        _ = t.recv() => break,
                    }
                }
                None => sleep.await,
            }
        }
    });
    let _ = std::fs::remove_file(pid_path(&engine));
    0
}

/// The task containers as they are now, by task ID: for the reconciler, and their
/// readiness and addresses for the mesh.
async fn observe(b: &dyn Backend) -> Result<(HashMap<String, Observed>, HashMap<String, TaskNet>)> {
    let list = b
        .container_list(q::ListContainersOptions {
            all: true,
            filters: Some(HashMap::from([(
                "label".to_string(),
                vec![task_container::TASK_ID.to_string()],
            )])),
            ..Default::default()
        })
        .await?;
    let mut out = HashMap::new();
    let mut nets = HashMap::new();
    for c in list {
        let net = TaskNet::of(&c);
        let labels = c.labels.unwrap_or_default();
        let Some(task) = labels.get(task_container::TASK_ID).cloned() else {
            continue;
        };
        let status = c.status.unwrap_or_default();
        let running = matches!(
            c.state,
            Some(m::ContainerSummaryStateEnum::RUNNING | m::ContainerSummaryStateEnum::RESTARTING)
        );
        // `Exited (137) 3 seconds ago`.
        let exit_code = status
            .strip_prefix("Exited (")
            .and_then(|s| s.split(')').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(if running { 0 } else { 1 });
        nets.insert(task.clone(), net);
        out.insert(
            task,
            Observed {
                container_id: c.id.unwrap_or_default(),
                running,
                exit_code,
                unhealthy: status.contains("(unhealthy)"),
                starting: status.contains("(health: starting)"),
                pid: 0,
            },
        );
    }
    Ok((out, nets))
}

/// Bring the routing mesh in step with the tasks: the rules when what they say
/// changed, the virtual IPs on the bridges every time (a bridge can be made again
/// without them).
fn sync_mesh(
    e: &Engine,
    st: &berth_engine::swarm::State,
    seen: &HashMap<String, TaskNet>,
    applied: &mut Option<Mesh>,
) -> Result<()> {
    let wanted = mesh::wanted(st, &e.networks().list()?, seen);
    if applied.as_ref() != Some(&wanted) {
        berth_engine::swarm::mesh::apply(e, &wanted)?;
        *applied = Some(wanted);
    } else {
        berth_engine::swarm::mesh::ensure_addresses(e, &wanted)?;
    }
    Ok(())
}

/// One round: observe, reconcile, act. False once there is no swarm.
async fn pass(b: &LocalBackend, e: &Engine, applied: &mut Option<Mesh>) -> Result<bool> {
    let store = SwarmStore::new(&e.paths);
    // The records as this round starts (only this process changes tasks, so they
    // hold until the reconcile below): for the mesh and the task files.
    let st = store.load()?;
    if st.cluster.is_none() {
        return Ok(false);
    }
    let (observed, seen) = observe(b).await?;
    // The mesh follows what was seen; a failure here must not stop the tasks' work.
    if let Err(err) = sync_mesh(e, &st, &seen, applied) {
        *applied = None;
        eprintln!("berth swarm manager: routing mesh: {err}");
    }
    // The files of tasks that ended or went.
    for tid in task_files::tasks_with_files(&e.paths) {
        let live = st
            .tasks
            .get(&tid)
            .is_some_and(|t| t.desired_state == Some(m::TaskState::RUNNING));
        if !live {
            task_files::remove(&e.paths, &tid);
        }
    }
    let now = chrono::Utc::now();
    let nets = e.networks();
    let actions = store.transact(|st| {
        // Addresses of services that are gone (a crash between a removal and its
        // release) go back, under the records' lock: a service being created now
        // reserves its addresses under that lock too, so it is never taken for gone.
        endpoints::release_orphan_vips(&nets, st)?;
        Ok(plan::reconcile(st, &observed, now))
    })?;
    // Stops and removals go on in the background: a stop waits out its grace period
    // (10 s for a process that ignores SIGTERM) and must hold up neither the starts
    // nor the next round (a drained node made active again starts its tasks at once).
    // Their tasks are already shut down in the records, so no round asks again.
    let mut starts = Vec::new();
    for a in actions {
        match a {
            Action::Start { task_id } => starts.push(task_id),
            Action::Stop {
                container_id,
                grace,
            } => {
                let b = b.clone();
                tokio::spawn(async move {
                    let secs = grace.map(|ns| ns / 1_000_000_000);
                    let _ = b.container_stop(&container_id, None, secs).await;
                });
            }
            Action::Remove { container_id } => {
                let b = b.clone();
                tokio::spawn(async move {
                    let opts = q::RemoveContainerOptions {
                        force: true,
                        ..Default::default()
                    };
                    let _ = b.container_remove(&container_id, opts).await;
                });
            }
        }
    }
    let store = &store;
    let done = futures_util::future::join_all(starts.iter().map(|t| start(b, store, t))).await;
    done.into_iter().collect::<Result<Vec<()>>>()?;
    Ok(true)
}

/// Make and start a task's container; a refusal (no such image, a bad mount) rejects
/// the task with the engine's words, and the slot is tried again per its policy.
async fn start(b: &LocalBackend, store: &SwarmStore, task_id: &str) -> Result<()> {
    let st = store.load()?;
    let Some(task) = st.tasks.get(task_id).cloned() else {
        return Ok(());
    };
    let Some(service) = task
        .service_id
        .as_deref()
        .and_then(|id| st.services.get(id))
        .map(|s| s.service.clone())
    else {
        return Ok(());
    };
    let sname = service
        .spec
        .as_ref()
        .and_then(|s| s.name.clone())
        .unwrap_or_default();
    let name = task_container::name(&sname, &task);
    let paths = b.engine().paths.clone();
    let made = async {
        let spec = service.spec.clone().unwrap_or_default();
        let nets = b.engine().networks();
        let joins = task_container::joins(&spec, endpoints::attachments(&nets, &spec)?);
        let mut body = task_container::body(&service, &task, &joins);
        // Its secrets and configs as files on the tmpfs, bound read-only at their targets.
        let wanted = task_container::files(&st, &task);
        let owned: Vec<TaskFile> = wanted.iter().map(|(_, f)| f.clone()).collect();
        let (paths, tid) = (paths.clone(), task_id.to_string());
        let written = tokio::task::spawn_blocking(move || task_files::write(&paths, &tid, &owned))
            .await?
            .map_err(BackendError::from)?;
        task_container::bind_files(&mut body, &wanted, &written);
        let id = match b.container_inspect(&name, false).await {
            // Made by a manager that died before it wrote so down: adopt it.
            Ok(c) => c.id.unwrap_or_default(),
            Err(_) => b.container_create(Some(name.clone()), None, body).await?.id,
        };
        // Its other networks (an adopted container may have them already).
        for j in joins.iter().skip(1) {
            let req = m::NetworkConnectRequest {
                container: id.clone(),
                endpoint_config: Some(m::EndpointSettings {
                    aliases: Some(j.aliases.clone()),
                    ..Default::default()
                }),
            };
            match b.network_connect(&j.network, req).await {
                Err(e) if e.kind != crate::backend::ErrorKind::Conflict => return Err(e),
                _ => {}
            }
        }
        b.container_start(&id).await.or_else(|e| {
            if e.kind == crate::backend::ErrorKind::NotModified {
                Ok(())
            } else {
                Err(e)
            }
        })?;
        Ok::<String, BackendError>(id)
    }
    .await;
    let stamp = plan::rfc3339(chrono::Utc::now());
    store.transact(|st| {
        if let Some(t) = st.tasks.get_mut(task_id) {
            match &made {
                Ok(id) => {
                    plan::observe::set_status(t, m::TaskState::RUNNING, "started", None, &stamp);
                    if let Some(s) = t.status.as_mut() {
                        s.container_status = Some(m::ContainerStatus {
                            container_id: Some(id.clone()),
                            pid: None,
                            exit_code: None,
                        });
                    }
                }
                Err(e) => {
                    t.desired_state = Some(m::TaskState::SHUTDOWN);
                    plan::observe::set_status(
                        t,
                        m::TaskState::REJECTED,
                        "rejected",
                        Some(e.message.clone()),
                        &stamp,
                    );
                }
            }
        }
        Ok(())
    })?;
    Ok(())
}
