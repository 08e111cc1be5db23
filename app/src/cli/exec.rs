//! `exec`: run a process in a running container through the engine interface (create,
//! start attached, inspect for the exit code), with a pty for `-t`.

use bollard::models as m;
use clap::Args;

use super::create_flags::read_env_file;
use super::door::Door;
use super::pump::{pump, terminal_size, PumpOpts};
use super::CliResult;
use crate::backend::ExecStarted;

#[derive(Args, Debug)]
pub struct ExecArgs {
    /// Detached mode: run command in the background
    #[arg(short = 'd', long)]
    pub detach: bool,
    /// Keep STDIN open even if not attached
    #[arg(short = 'i', long)]
    pub interactive: bool,
    /// Allocate a pseudo-TTY
    #[arg(short = 't', long)]
    pub tty: bool,
    /// Set environment variables
    #[arg(short = 'e', long = "env")]
    pub env: Vec<String>,
    /// Read in a file of environment variables
    #[arg(long = "env-file")]
    pub env_file: Vec<std::path::PathBuf>,
    /// Username or UID (format: "<name|uid>[:<group|gid>]")
    #[arg(short = 'u', long)]
    pub user: Option<String>,
    /// Working directory inside the container
    #[arg(short = 'w', long)]
    pub workdir: Option<String>,
    /// Give extended privileges to the command
    #[arg(long)]
    pub privileged: bool,
    #[arg(
        required = true,
        num_args = 2..,
        trailing_var_arg = true,
        value_name = "CONTAINER COMMAND [ARG...]"
    )]
    pub args: Vec<String>,
}

pub fn run(door: &Door, a: ExecArgs) -> CliResult {
    if a.args.len() < 2 {
        return Err(
            "\"berth exec\" requires at least 2 arguments: CONTAINER COMMAND [ARG...]".into(),
        );
    }
    let mut env = Vec::new();
    for f in &a.env_file {
        env.extend(read_env_file(f)?);
    }
    env.extend(a.env.iter().cloned());
    let b = door.backend();
    let size = if a.tty { terminal_size() } else { None };
    let console = size.map(|(r, c)| vec![r as usize, c as usize]);
    let cfg = m::ExecConfig {
        attach_stdin: Some(a.interactive && !a.detach),
        attach_stdout: Some(!a.detach),
        attach_stderr: Some(!a.detach),
        console_size: console.clone(),
        tty: Some(a.tty),
        env: Some(env),
        cmd: Some(a.args[1..].to_vec()),
        privileged: Some(a.privileged),
        user: a.user.clone(),
        working_dir: a.workdir.clone(),
        detach_keys: None,
    };
    let id = door.call(b.exec_create(&a.args[0], cfg))?.id;
    let start = m::ExecStartConfig {
        detach: Some(a.detach),
        tty: Some(a.tty),
        console_size: console,
    };
    let duplex = match door.call(b.exec_start(&id, start))? {
        ExecStarted::Detached => return Ok(0),
        ExecStarted::Attached(d) => d,
    };
    let opts = PumpOpts {
        stdin: a.interactive,
        tty: a.tty,
        detach_keys: super::detach_keys::DEFAULT.to_vec(),
        sig_proxy: false,
    };
    let resize = |rows, cols| {
        let id = id.clone();
        async move {
            let _ = b.exec_resize(&id, rows, cols).await;
        }
    };
    door.block_on(pump(duplex, opts, resize, |_| async {}));
    let code = door.call(b.exec_inspect(&id))?.exit_code.unwrap_or(0);
    Ok(code.clamp(0, 255) as u8)
}
