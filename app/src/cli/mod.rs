//! The docker-style command line: argument definitions per command group, dispatch, and
//! the one place errors become a line on stderr and an exit code.

mod build;
mod build_progress;
mod builder;
pub mod compose;
mod container;
mod container_doc;
mod context;
mod cp;
mod create_flags;
mod create_request;
mod demo;
mod detach_keys;
pub mod door;
mod events;
pub mod exec;
mod filters;
mod fs_cmds;
mod go_json;
mod image;
mod image_archive;
mod inspect;
mod logs;
mod network;
mod object_docs;
mod output;
pub mod ps;
mod pump;
mod registry;
mod run_flags;
pub mod session;
mod stack;
mod stats_row;
mod swarm;
mod system;
mod system_prune;
mod top_stats;
mod transfer_progress;
mod update;
mod usage_error;
mod volume;

use std::path::PathBuf;
use std::process::ExitCode;

use berth_engine::{Config, Engine};
use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "berth",
    version,
    about = "A terminal container workstation with its own engine"
)]
pub struct Cli {
    // The roots' defaults and variables are the engine's `Config`, the one reader of
    // the environment; a flag given here overrides it.
    /// State root (images, containers, volumes) [env: BERTH_ROOT] [default: /var/lib/berth]
    #[arg(long, global = true)]
    root: Option<PathBuf>,
    /// Runtime root (sockets of running containers) [env: BERTH_RUN_ROOT] [default: /run/berth]
    #[arg(long = "run-root", global = true)]
    run_root: Option<PathBuf>,
    /// TUI theme: dark, light, high-contrast, or a file in ~/.config/berth/themes
    #[arg(long, global = true)]
    theme: Option<String>,
    /// A Docker engine to drive instead of berth's own (unix:///path, tcp://host:port,
    /// ssh://[user@]host[:port])
    /// [env: DOCKER_HOST]
    // Not global, as with the docker CLI: `-H` and `--host` mean other things after
    // some subcommands (`image history -H`, `service create --host`).
    #[arg(short = 'H', long = "host")]
    host: Option<String>,
    /// Name of the context to use: a Docker engine stored as the docker CLI stores
    /// contexts, or `local` for berth's own [env: DOCKER_CONTEXT] (see `berth context`)
    #[arg(short = 'c', long = "context")]
    context: Option<String>,
    // The docker CLI's TLS flags, top-level like `-H` (they go before the command).
    // A bare `--tls` is true; `--tls=false` is written with `=`, as pflag takes it.
    /// Use TLS; implied by --tlsverify [env: DOCKER_TLS]
    #[arg(long = "tls", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    tls: Option<bool>,
    /// Use TLS and verify the remote [env: DOCKER_TLS_VERIFY]
    #[arg(long = "tlsverify", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    tlsverify: Option<bool>,
    /// Trust certs signed only by this CA [default: $DOCKER_CERT_PATH/ca.pem, or ~/.docker/ca.pem]
    #[arg(long = "tlscacert", value_name = "string")]
    tlscacert: Option<PathBuf>,
    /// Path to TLS certificate file [default: $DOCKER_CERT_PATH/cert.pem, or ~/.docker/cert.pem]
    #[arg(long = "tlscert", value_name = "string")]
    tlscert: Option<PathBuf>,
    /// Path to TLS key file [default: $DOCKER_CERT_PATH/key.pem, or ~/.docker/key.pem]
    #[arg(long = "tlskey", value_name = "string")]
    tlskey: Option<PathBuf>,
    /// Without a command: open the TUI.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    #[command(flatten)]
    ContainerTop(container::ContainerCmd),
    /// Manage containers
    Container {
        #[command(subcommand)]
        cmd: container::ContainerGroupCmd,
    },
    /// Build an image from a Dockerfile
    Build(build::BuildArgs),
    /// Download an image from a registry
    Pull(registry::PullArgs),
    /// Upload an image to a registry
    Push(registry::PushArgs),
    /// Log in to a registry
    Login(registry::LoginArgs),
    /// Log out from a registry
    Logout(registry::LogoutArgs),
    /// Define and run multi-container applications (Docker Compose)
    Compose(compose::args::ComposeArgs),
    /// Manage builds
    Builder {
        #[command(subcommand)]
        cmd: builder::BuilderCmd,
    },
    #[command(flatten)]
    ImageTop(image::ImageTopCmd),
    /// Manage images
    Image {
        #[command(subcommand)]
        cmd: image::ImageCmd,
    },
    /// Manage networks
    Network {
        #[command(subcommand)]
        cmd: network::NetworkCmd,
    },
    /// Manage volumes
    Volume {
        #[command(subcommand)]
        cmd: volume::VolumeCmd,
    },
    /// Return low-level information on containers or images
    Inspect(inspect::InspectArgs),
    #[command(flatten)]
    SystemTop(system::SystemTopCmd),
    /// Manage berth itself
    System {
        #[command(subcommand)]
        cmd: system::SystemCmd,
    },
    /// Get real time events from berth
    Events(events::EventsArgs),
    /// Manage Swarm
    Swarm {
        #[command(subcommand)]
        cmd: swarm::SwarmCmd,
    },
    /// Manage Swarm nodes
    Node {
        #[command(subcommand)]
        cmd: swarm::NodeCmd,
    },
    /// Manage Swarm services
    Service {
        #[command(subcommand)]
        cmd: swarm::ServiceCmd,
    },
    /// Manage Swarm secrets
    Secret {
        #[command(subcommand)]
        cmd: swarm::ObjectCmd,
    },
    /// Manage Swarm configs
    Config {
        #[command(subcommand)]
        cmd: swarm::ObjectCmd,
    },
    /// Manage Swarm stacks
    Stack {
        #[command(subcommand)]
        cmd: stack::StackCmd,
    },
    /// Manage contexts (the engines berth talks to)
    Context {
        #[command(subcommand)]
        cmd: context::ContextCmd,
    },
    /// Set up a ready demo (busybox image and a few containers) that needs no registry
    Demo(demo::DemoArgs),
    /// Internal: a container's monitor process.
    #[command(name = "__monitor", hide = true)]
    Monitor {
        id: String,
        #[arg(long)]
        attach: bool,
    },
    /// Internal: runs one exec in its container (started by berth itself).
    #[command(name = "__exec", hide = true)]
    Exec { id: String },
    /// Internal: the swarm manager (started by berth itself when a swarm exists).
    #[command(name = "__swarm-manager", hide = true)]
    SwarmManager,
    /// Internal: sends a container's log lines to its remote log driver (started by its
    /// monitor).
    #[command(name = "__logship", hide = true)]
    LogShip { id: String },
    /// The embedded DNS server of a user network (started by berth itself).
    #[command(name = "__dns", hide = true)]
    Dns { network: String },
    /// Internal: work inside a container's filesystem (started by a multi-threaded berth).
    #[command(name = "__fs", hide = true)]
    Fs { id: String, job: String },
}

/// An error with the exit code it should end the process with.
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl From<berth_engine::Error> for Failure {
    fn from(e: berth_engine::Error) -> Self {
        Failure {
            code: 1,
            message: format!("Error response from daemon: {e}"),
        }
    }
}

impl Failure {
    /// A bad flag value, refused before anything is asked (Docker's exit code 125).
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: 125,
            message: message.into(),
        }
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure { code: 1, message }
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Self {
        Failure {
            code: 1,
            message: message.to_string(),
        }
    }
}

pub type CliResult = Result<u8, Failure>;

/// How Docker's CLI words an error of an object command: a missing object is the
/// client's own `Error: No such volume: x`, anything else comes from the daemon.
pub fn object_error(e: &berth_engine::Error) -> String {
    if e.is_not_found() {
        format!("Error: {e}")
    } else {
        format!("Error response from daemon: {e}")
    }
}

/// `berth` alone: the TUI. It is multi-threaded, so monitors are re-executed, never
/// forked from it.
fn open_tui(
    mut links: crate::tui::link::Links,
    target: &crate::context::Target,
    theme: Option<&str>,
) -> ExitCode {
    let theme = match crate::tui::theme::Theme::choose(theme) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("berth: {e}");
            return ExitCode::from(2);
        }
    };
    let first = match links.open(target) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("berth: {e}");
            return ExitCode::from(1);
        }
    };
    match crate::tui::run(links, first, theme) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("berth: {e}");
            ExitCode::from(1)
        }
    }
}

pub fn main() -> ExitCode {
    let argv = compose_alias(
        std::env::args_os()
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
    );
    let cli = match Cli::try_parse_from(&argv) {
        Ok(cli) => cli,
        Err(e) => {
            let u = usage_error::explain::<Cli>(&e, &argv);
            if u.to_stdout {
                print!("{}", u.text);
            } else {
                eprint!("{}", u.text);
            }
            return ExitCode::from(u.code);
        }
    };
    // The one read of the engine's environment in this process (re-executed helpers
    // included); the Docker engine's variables are read below, for the CLI alone.
    let mut config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("berth: {e}");
            return ExitCode::from(1);
        }
    };
    if let Some(root) = cli.root {
        config.root = root;
    }
    if let Some(run_root) = cli.run_root {
        config.run_root = run_root;
    }
    if let Some(Command::Monitor { id, attach }) = &cli.command {
        return ExitCode::from(
            berth_engine::container::start::monitor_entry(config, id, *attach) as u8,
        );
    }
    if let Some(Command::Exec { id }) = &cli.command {
        let code = berth_engine::container::exec::helper_entry(config, id);
        return ExitCode::from(code.clamp(0, 255) as u8);
    }
    if let Some(Command::SwarmManager) = &cli.command {
        return ExitCode::from(crate::swarm::manager::main(config) as u8);
    }
    if let Some(Command::LogShip { id }) = &cli.command {
        return ExitCode::from(berth_engine::container::logdriver::ship::main(&config, id) as u8);
    }
    if let Some(Command::Dns { network }) = &cli.command {
        return ExitCode::from(berth_engine::network::dns::server::main(&config, network) as u8);
    }
    if let Some(Command::Fs { id, job }) = &cli.command {
        return ExitCode::from(
            berth_engine::container::fs_job::helper_entry(config, id, job) as u8,
        );
    }
    // Contexts are files of the docker CLI's; no engine is needed to manage them.
    if let Some(Command::Context { cmd }) = cli.command {
        return finish(context::run(cmd));
    }
    // A Docker engine takes the commands when `-H`, `--context`, DOCKER_HOST,
    // DOCKER_CONTEXT or the current context say so (in that order, as the docker CLI
    // reads them); Berth's own state root is then not opened at all.
    let serves_api = matches!(
        &cli.command,
        Some(Command::System {
            cmd: system::SystemCmd::Service(_)
        })
    );
    // `system service` serves Berth's own engine whatever DOCKER_HOST or the current
    // context say: a shell set up to point the docker CLI at that service names it.
    let tls_flags = crate::context::tls::TlsFlags {
        tls: cli.tls,
        tlsverify: cli.tlsverify,
        cacert: cli.tlscacert.clone(),
        cert: cli.tlscert.clone(),
        key: cli.tlskey.clone(),
    };
    let target = if serves_api {
        Ok(crate::context::Target::Local)
    } else {
        let store = crate::context::ContextStore::open();
        let choice = crate::context::Choice::from_env(
            cli.host.clone(),
            cli.context.clone(),
            &tls_flags,
            store.dir(),
        );
        crate::context::resolve(&choice, &store).map_err(|e| Failure::from(format!("berth: {e}")))
    };
    let target = match target {
        Ok(t) => t,
        Err(f) => return finish(Err(f)),
    };
    if let crate::context::Target::Docker { .. } = &target {
        let Some(command) = cli.command else {
            // The TUI on a Docker engine; Berth's own opens if the user switches to it.
            let links = crate::tui::link::Links::new(config, None, tls_flags);
            return open_tui(links, &target, cli.theme.as_deref());
        };
        let door = target
            .endpoint()
            .map_err(|e| Failure::from(format!("berth: {e}")))
            .and_then(|e| e.ok_or_else(|| Failure::from("berth: no Docker host given")))
            .and_then(door::Door::docker);
        let mut door = match door {
            Ok(d) => d,
            Err(f) => return finish(Err(f)),
        };
        door.context = target.context_name().to_string();
        return finish(dispatch(&door, command));
    }
    let root = config.root.clone();
    let engine = match Engine::open_with(config) {
        // The CLI is single-threaded: it may fork monitors instead of re-executing
        // (BERTH_MONITOR_EXEC=1 forces the re-exec path the TUI uses, for tests).
        Ok(e) => {
            let launch = if e.config.monitor_exec {
                berth_engine::container::start::MonitorLaunch::Exec
            } else {
                berth_engine::container::start::MonitorLaunch::Fork
            };
            Engine {
                monitor_launch: launch,
                ..e
            }
        }

        Err(e) => {
            eprintln!("berth: cannot open the state root {}: {e}", root.display());
            return ExitCode::from(1);
        }
    };
    let Some(command) = cli.command else {
        let links = crate::tui::link::Links::new((*engine.config).clone(), Some(engine), tls_flags);
        return open_tui(links, &crate::context::Target::Local, cli.theme.as_deref());
    };
    if let Command::System {
        cmd: system::SystemCmd::Service(a),
    } = command
    {
        return finish(system::service(&engine, a));
    }
    // Every other command reaches the engine through the interface only; compose acts
    // on many containers at once, so its door runs them in parallel.
    let door = match &command {
        Command::Compose(_) => door::Door::local_pool(&engine),
        _ => door::Door::local(&engine),
    };
    match door {
        Ok(door) => finish(dispatch(&door, command)),
        Err(f) => finish(Err(f)),
    }
}

/// A command on the engine behind `door`.
fn dispatch(door: &door::Door, command: Command) -> CliResult {
    match command {
        Command::ContainerTop(cmd) => container::run(door, cmd),
        Command::Container { cmd } => container::run_group(door, cmd),
        Command::Build(a) => build::run(door, a),
        Command::Pull(a) => registry::pull(door, a),
        Command::Push(a) => registry::push(door, a),
        Command::Login(a) => registry::login(door, a),
        Command::Logout(a) => registry::logout(a),
        Command::Builder { cmd } => builder::run(door, cmd),
        Command::Compose(a) => compose::run(door, a),
        Command::ImageTop(cmd) => image::run_top(door, cmd),
        Command::Image { cmd } => image::run(door, cmd),
        Command::Volume { cmd } => volume::run(door, cmd),
        Command::Network { cmd } => network::run(door, cmd),
        Command::Inspect(args) => inspect::run(door, args),
        Command::SystemTop(cmd) => system::run_top(door, cmd),
        Command::System { cmd } => system::run(door, cmd),
        Command::Events(a) => events::run(door, a),
        Command::Swarm { cmd } => swarm::run_swarm(door, cmd),
        Command::Node { cmd } => swarm::run_node(door, cmd),
        Command::Service { cmd } => swarm::run_service(door, cmd),
        Command::Secret { cmd } => swarm::run_object(door, swarm::ObjectKind::Secret, cmd),
        Command::Config { cmd } => swarm::run_object(door, swarm::ObjectKind::Config, cmd),
        Command::Stack { cmd } => stack::run(door, cmd),
        Command::Demo(a) => demo::run(door, a),
        Command::Context { .. } => unreachable!("handled above"),
        Command::Monitor { .. }
        | Command::Dns { .. }
        | Command::LogShip { .. }
        | Command::SwarmManager
        | Command::Exec { .. }
        | Command::Fs { .. } => unreachable!("handled in main"),
    }
}

/// Invoked as `berth-compose` (a link to this binary), it is `berth compose`.
fn compose_alias(mut argv: Vec<String>) -> Vec<String> {
    let invoked = argv
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .map(|f| f.to_string_lossy().into_owned());
    if invoked.as_deref() == Some("berth-compose") {
        argv[0] = "berth".into();
        argv.insert(1, "compose".into());
    }
    argv
}

/// A command's end: its exit code, or its error on stderr and that error's code.
fn finish(result: CliResult) -> ExitCode {
    match result {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("{}", f.message);
            ExitCode::from(f.code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::compose_alias;

    #[test]
    fn berth_compose_is_berth_compose() {
        let argv = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            compose_alias(argv(&["/usr/local/bin/berth-compose", "-p", "x", "up"])),
            argv(&["berth", "compose", "-p", "x", "up"])
        );
        assert_eq!(
            compose_alias(argv(&["berth", "ps"])),
            argv(&["berth", "ps"])
        );
    }
}
