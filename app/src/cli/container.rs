//! Container commands: run, create, start, stop, kill, restart, rm, pause, unpause,
//! rename, wait, ps, logs, exec, attach. Both `berth ps` and `berth container ls` land here.

use berth_engine::container::create::CreateOptions;
use clap::{Args, Subcommand};

use bollard::query_parameters as q;

use super::create_flags::CreateFlags;
use super::door::Door;
use super::session::{self, start_exit_code, Session};
use super::{exec, fs_cmds, logs, ps, top_stats, CliResult, Failure};
use crate::backend::{BackendError, ErrorKind};

#[derive(Subcommand, Debug)]
pub enum ContainerCmd {
    /// Create and run a new container from an image
    #[command(disable_help_flag = true)]
    Run {
        /// Run container in background and print container ID
        #[arg(short = 'd', long)]
        detach: bool,
        #[command(flatten)]
        flags: CreateFlags,
    },
    /// Create a new container
    #[command(disable_help_flag = true)]
    Create {
        #[command(flatten)]
        flags: CreateFlags,
    },
    /// Start one or more stopped containers
    Start {
        /// Attach STDOUT/STDERR and forward signals
        #[arg(short = 'a', long)]
        attach: bool,
        /// Attach container's STDIN
        #[arg(short = 'i', long)]
        interactive: bool,
        /// Override the key sequence for detaching a container
        #[arg(long = "detach-keys")]
        detach_keys: Option<String>,
        #[arg(required = true)]
        containers: Vec<String>,
    },
    /// Stop one or more running containers
    Stop(StopArgs),
    /// Restart one or more containers
    Restart(StopArgs),
    /// Kill one or more running containers
    Kill {
        /// Signal to send to the container
        #[arg(short = 's', long)]
        signal: Option<String>,
        #[arg(required = true)]
        containers: Vec<String>,
    },
    /// Remove one or more containers
    #[command(visible_alias = "remove")]
    Rm {
        /// Force the removal of a running container (uses SIGKILL)
        #[arg(short = 'f', long)]
        force: bool,
        /// Remove anonymous volumes associated with the container
        #[arg(short = 'v', long)]
        volumes: bool,
        #[arg(required = true)]
        containers: Vec<String>,
    },
    /// Pause all processes within one or more containers
    Pause {
        #[arg(required = true)]
        containers: Vec<String>,
    },
    /// Unpause all processes within one or more containers
    Unpause {
        #[arg(required = true)]
        containers: Vec<String>,
    },
    /// Rename a container
    Rename { container: String, new_name: String },
    /// Block until one or more containers stop, then print their exit codes
    Wait {
        #[arg(required = true)]
        containers: Vec<String>,
    },
    /// List containers
    #[command(visible_alias = "ls", alias = "list")]
    Ps(ps::PsArgs),
    /// Fetch the logs of a container
    Logs(logs::LogsArgs),
    /// Execute a command in a running container
    Exec(exec::ExecArgs),
    /// Remove all stopped containers
    Prune {
        /// Do not prompt for confirmation
        #[arg(short = 'f', long)]
        force: bool,
    },
    /// Attach local standard input, output, and error streams to a running container
    Attach {
        /// Do not attach STDIN
        #[arg(long = "no-stdin")]
        no_stdin: bool,
        /// Proxy all received signals to the process
        #[arg(long = "sig-proxy", default_value_t = true, action = clap::ArgAction::Set)]
        sig_proxy: bool,
        /// Override the key sequence for detaching a container
        #[arg(long = "detach-keys")]
        detach_keys: Option<String>,
        container: String,
    },
    /// Copy files/folders between a container and the local filesystem
    Cp(super::cp::CpArgs),
    /// Inspect changes to files or directories on a container's filesystem
    Diff { container: String },
    /// Export a container's filesystem as a tar archive
    Export(fs_cmds::ExportArgs),
    /// Create a new image from a container's changes
    Commit(fs_cmds::CommitArgs),
    /// List port mappings or a specific mapping for the container
    Port(top_stats::PortArgs),
    /// Display the running processes of a container
    Top(top_stats::TopArgs),
    /// Display a live stream of container(s) resource usage statistics
    Stats(top_stats::StatsArgs),
    /// Update configuration of one or more containers
    Update(super::update::UpdateArgs),
    /// Show what a container is made of: namespaces, PIDs, cgroup, overlay, veths,
    /// privileges and mounts, each with what it means
    Anatomy(top_stats::AnatomyArgs),
}

/// `berth container ...`: every container command, plus `inspect`, which at the top level
/// is the inspect of any object.
#[derive(Subcommand, Debug)]
// Parsed once per process: the size of the common variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum ContainerGroupCmd {
    #[command(flatten)]
    Common(ContainerCmd),
    /// Display detailed information on one or more containers
    Inspect {
        /// Format the output using the given Go template
        #[arg(short = 'f', long)]
        format: Option<String>,
        /// Display total file sizes
        #[arg(short = 's', long)]
        size: bool,
        #[arg(required = true)]
        containers: Vec<String>,
    },
}

pub fn run_group(door: &Door, cmd: ContainerGroupCmd) -> CliResult {
    match cmd {
        ContainerGroupCmd::Common(cmd) => run(door, cmd),
        ContainerGroupCmd::Inspect {
            format,
            size,
            containers,
        } => super::inspect::containers(door, &containers, format.as_deref(), size),
    }
}

#[derive(Args, Debug)]
pub struct StopArgs {
    /// Seconds to wait before killing the container
    #[arg(
        short = 't',
        long = "time",
        visible_alias = "timeout",
        allow_hyphen_values = true
    )]
    time: Option<i64>,
    /// Signal to send to the container
    #[arg(short = 's', long)]
    signal: Option<String>,
    #[arg(required = true)]
    containers: Vec<String>,
}

/// Run `f` on each named container, printing the name as Docker does; the first error
/// does not stop the others, and the exit code says whether any failed. A container
/// already in the state asked for (the API's "not modified") is no error.
fn each(
    refs: &[String],
    wording: impl Fn(BackendError) -> String,
    f: impl Fn(&str) -> Result<(), BackendError>,
) -> CliResult {
    let mut failed = false;
    for r in refs {
        match f(r) {
            Ok(()) => println!("{r}"),
            Err(e) if e.kind == ErrorKind::NotModified => println!("{r}"),
            Err(e) => {
                eprintln!("{}", wording(e));
                failed = true;
            }
        }
    }
    Ok(u8::from(failed))
}

/// A daemon's answer, as the CLI prints it.
fn daemon(e: BackendError) -> String {
    Failure::from(e).message
}

/// A failed start, as berth's CLI has printed it (a missing container is the daemon's
/// plain answer).
fn start_wording(e: BackendError) -> String {
    if e.kind == ErrorKind::NotFound {
        return daemon(e);
    }
    format!("berth: Error response from daemon: {}", e.message)
}

/// `run`'s errors as Docker's CLI reports them: `berth: ` before, one `.` after.
fn run_error(msg: &str) -> String {
    format!("berth: {}.", msg.trim_end().trim_end_matches('.'))
}

/// A refused `start -a`, with the exit code Docker's CLI gives it.
fn start_refused(e: BackendError) -> Failure {
    Failure {
        code: start_exit_code(&e.message),
        message: start_wording(e),
    }
}

/// A refused `run`: Docker's run wording, and 125, 126 or 127.
fn run_refused(e: BackendError) -> Failure {
    Failure {
        code: start_exit_code(&e.message),
        message: run_error(&format!("Error response from daemon: {}", e.message)),
    }
}

pub fn run(door: &Door, cmd: ContainerCmd) -> CliResult {
    match cmd {
        ContainerCmd::Run { detach, flags } => run_container(door, detach, &flags),
        ContainerCmd::Create { flags } => {
            let opts = flags.to_options(false).map_err(|m| Failure {
                code: 125,
                message: m,
            })?;
            let id = create(door, &flags, &opts, "")?;
            println!("{id}");
            Ok(0)
        }
        ContainerCmd::Start {
            attach,
            interactive,
            detach_keys,
            containers,
        } => {
            if attach || interactive {
                let [r] = containers.as_slice() else {
                    return Err("you cannot start and attach multiple containers at once".into());
                };
                let c = door
                    .call(door.backend().container_inspect(r, false))
                    .map_err(|e| Failure::from(daemon(e)))?;
                let (id, config) = (c.id.unwrap_or_default(), c.config.unwrap_or_default());
                let auto_remove = c.host_config.and_then(|h| h.auto_remove) == Some(true);
                let s = Session {
                    id: &id,
                    start: true,
                    condition: if auto_remove { "removed" } else { "next-exit" },
                    stdin: interactive && config.open_stdin == Some(true),
                    stdout: true,
                    stderr: true,
                    tty: config.tty == Some(true),
                    sig_proxy: true,
                    detach_keys: detach_keys_or_default(detach_keys.as_deref())?,
                };
                return session::run(door, s, start_refused);
            }
            let b = door.backend();
            each(&containers, start_wording, |r| {
                door.call(b.container_start(r))
            })
        }
        ContainerCmd::Stop(a) => {
            let b = door.backend();
            each(&a.containers, daemon, |r| {
                door.call(b.container_stop(r, a.signal.clone(), a.time))
            })
        }
        ContainerCmd::Restart(a) => {
            let b = door.backend();
            each(&a.containers, start_wording, |r| {
                door.call(b.container_restart(r, a.signal.clone(), a.time))
            })
        }
        ContainerCmd::Kill { signal, containers } => {
            let b = door.backend();
            let sig = signal.unwrap_or_default();
            each(&containers, daemon, |r| {
                door.call(b.container_kill(r, &sig))
            })
        }
        ContainerCmd::Rm {
            force,
            volumes,
            containers,
        } => {
            let b = door.backend();
            each(&containers, daemon, |r| {
                let opts = q::RemoveContainerOptions {
                    v: volumes,
                    force,
                    link: false,
                };
                door.call(b.container_remove(r, opts))
            })
        }
        ContainerCmd::Pause { containers } => {
            let b = door.backend();
            each(&containers, daemon, |r| door.call(b.container_pause(r)))
        }
        ContainerCmd::Unpause { containers } => {
            let b = door.backend();
            each(&containers, daemon, |r| door.call(b.container_unpause(r)))
        }
        ContainerCmd::Rename {
            container,
            new_name,
        } => {
            door.call(door.backend().container_rename(&container, &new_name))?;
            Ok(0)
        }
        ContainerCmd::Wait { containers } => {
            let mut failed = false;
            for r in &containers {
                match door.call(door.backend().container_wait(r, "not-running")) {
                    Ok(w) => println!("{}", w.status_code),
                    Err(e) => {
                        eprintln!("{}", daemon(e));
                        failed = true;
                    }
                }
            }
            Ok(u8::from(failed))
        }
        ContainerCmd::Prune { force: _ } => {
            let pruned = door.call(door.backend().container_prune(Default::default()))?;
            println!("Deleted Containers:");
            for id in pruned.containers_deleted.unwrap_or_default() {
                println!("{id}");
            }
            println!(
                "\nTotal reclaimed space: {}",
                crate::format::human::human_size(pruned.space_reclaimed.unwrap_or(0).max(0) as u64)
            );
            Ok(0)
        }
        ContainerCmd::Ps(a) => ps::run(door, a),

        ContainerCmd::Logs(a) => logs::run(door, a),
        ContainerCmd::Exec(a) => exec::run(door, a),
        ContainerCmd::Attach {
            no_stdin,
            sig_proxy,
            detach_keys,
            container,
        } => {
            let c = door
                .call(door.backend().container_inspect(&container, false))
                .map_err(|e| Failure::from(daemon(e)))?;
            let state = c.state.unwrap_or_default();
            if state.running != Some(true) {
                return Err("You cannot attach to a stopped container, start it first".into());
            }
            if state.paused == Some(true) {
                return Err("You cannot attach to a paused container, unpause it first".into());
            }
            let (id, config) = (c.id.unwrap_or_default(), c.config.unwrap_or_default());
            let s = Session {
                id: &id,
                start: false,
                condition: "not-running",
                stdin: !no_stdin && config.open_stdin == Some(true),
                stdout: true,
                stderr: true,
                tty: config.tty == Some(true),
                sig_proxy,
                detach_keys: detach_keys_or_default(detach_keys.as_deref())?,
            };
            session::run(door, s, start_refused)
        }
        ContainerCmd::Cp(a) => super::cp::cp(door, a),
        ContainerCmd::Diff { container } => fs_cmds::diff(door, &container),
        ContainerCmd::Export(a) => fs_cmds::export(door, a),
        ContainerCmd::Commit(a) => fs_cmds::commit(door, a),
        ContainerCmd::Top(a) => top_stats::top(door, a),
        ContainerCmd::Port(a) => top_stats::port(door, a),
        ContainerCmd::Stats(a) => top_stats::stats(door, a),
        ContainerCmd::Anatomy(a) => top_stats::anatomy(door, a),
        ContainerCmd::Update(a) => super::update::run(door, a),
    }
}

/// `--detach-keys` as bytes, ctrl-p ctrl-q unless given.
fn detach_keys_or_default(keys: Option<&str>) -> Result<Vec<u8>, Failure> {
    match keys {
        None => Ok(super::detach_keys::DEFAULT.to_vec()),
        Some(k) => super::detach_keys::parse(k).map_err(|m| Failure {
            code: 125,
            message: m,
        }),
    }
}

/// Create the container through the interface, with `--cidfile` claimed first (an
/// existing one refuses the create), written once the container exists, and removed if
/// the create fails. `prefix` is `run`'s `berth: `, which also words errors as Docker's
/// run does (a period after).
fn create(
    door: &Door,
    flags: &CreateFlags,
    opts: &CreateOptions,
    prefix: &str,
) -> Result<String, Failure> {
    let b = door.backend();
    let fail = |m: String| Failure {
        code: 125,
        message: format!("{prefix}{m}"),
    };
    let from_daemon = |message: &str| {
        let daemon = format!("Error response from daemon: {message}");
        if prefix.is_empty() {
            fail(daemon)
        } else {
            Failure {
                code: 125,
                message: run_error(&daemon),
            }
        }
    };
    use super::create_request::{request, RequestError};
    let req = request(opts).map_err(|e| match e {
        RequestError::Refused(m) => from_daemon(&m),
        RequestError::Flag(m) => Failure {
            code: 125,
            message: if prefix.is_empty() {
                m
            } else {
                format!("{m}\nSee 'berth run --help'.")
            },
        },
    })?;
    use berth_engine::container::run_options::PullPolicy;
    let policy = match &opts.pull {
        Some(p) => PullPolicy::parse(p).map_err(|e| from_daemon(&e.to_string()))?,
        None => PullPolicy::Missing,
    };
    // `always` pulls first; `missing` (the default) pulls only when the create says the
    // image is not here, so a run of an image that is here costs no extra lookup.
    if policy == PullPolicy::Always {
        pull_for_create(door, opts).map_err(|m| from_daemon(&m))?;
    }
    let cid = super::run_flags::CidFile::claim(flags.more.cidfile.as_ref()).map_err(fail)?;
    let mut pulled = policy == PullPolicy::Always;
    let created = loop {
        let made =
            door.call(b.container_create(req.name.clone(), req.platform.clone(), req.body.clone()));
        match made {
            Ok(c) => break c,
            Err(e)
                if !pulled
                    && policy == PullPolicy::Missing
                    && e.kind == ErrorKind::NotFound
                    && e.message.starts_with("No such image") =>
            {
                pulled = true;
                eprintln!(
                    "Unable to find image '{}' locally",
                    with_default_tag(&opts.image)
                );
                if let Err(m) = pull_for_create(door, opts) {
                    cid.abandon();
                    return Err(from_daemon(&m));
                }
            }
            Err(e) => {
                cid.abandon();
                return Err(from_daemon(&e.message));
            }
        }
    };
    for w in &created.warnings {
        eprintln!("WARNING: {w}");
    }
    cid.write(&created.id).map_err(fail)?;
    Ok(created.id)
}

/// `image` as Docker's "Unable to find image" line names it (`busybox:latest`).
fn with_default_tag(image: &str) -> String {
    berth_engine::image::Reference::parse(image)
        .map(|r| {
            if r.tag.is_none() && r.digest.is_none() {
                format!("{}:latest", r.name)
            } else {
                r.to_string()
            }
        })
        .unwrap_or_else(|_| image.to_string())
}

/// The pull a run or create makes, its progress on stderr as Docker's run shows it;
/// the daemon's message when it fails.
fn pull_for_create(door: &Door, opts: &CreateOptions) -> Result<(), String> {
    let mut err = std::io::stderr();
    super::registry::pull_progress(door, &opts.image, opts.platform.clone(), false, &mut err)
        .map_err(|f| {
            f.message
                .strip_prefix("Error response from daemon: ")
                .map(str::to_string)
                .unwrap_or(f.message)
        })
}

fn run_container(door: &Door, detach: bool, flags: &CreateFlags) -> CliResult {
    // A bad flag value is the client's error, as Docker's flag parser reports it.
    let opts = flags.to_options(detach).map_err(|m| Failure {
        code: 125,
        message: format!("{m}\nSee 'berth run --help'."),
    })?;
    if detach && opts.auto_remove && opts.restart.is_some() {
        return Err(Failure {
            code: 125,
            message: "berth: Conflicting options: --restart and --rm".into(),
        });
    }
    let detach_keys = detach_keys_or_default(flags.more.detach_keys.as_deref())?;
    let id = create(door, flags, &opts, "berth: ")?;
    if detach {
        door.call(door.backend().container_start(&id))
            .map_err(run_refused)?;
        println!("{id}");
        return Ok(0);
    }
    let streams = opts.attach;
    let s = Session {
        id: &id,
        start: true,
        condition: if opts.auto_remove {
            "removed"
        } else {
            "next-exit"
        },
        stdin: opts.open_stdin && streams.is_none_or(|a| a.stdin),
        stdout: streams.is_none_or(|a| a.stdout),
        stderr: streams.is_none_or(|a| a.stderr),
        tty: opts.tty,
        sig_proxy: true,
        detach_keys,
    };
    session::run(door, s, run_refused)
}
