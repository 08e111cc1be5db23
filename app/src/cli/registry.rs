//! `pull`, `push`, `login`, `logout`: the client half, as Docker's CLI does it. The
//! credentials for a registry are read from Docker's auth file here and sent with the
//! request; `login` has the backend check them, then stores them in that file.

use std::io::{BufRead, IsTerminal, Read, Write};

use crate::client_auth::auth_for;
use berth_engine::image::registry::{docker_config_path, AuthFile, Credentials, HUB_AUTH_KEY};
use berth_engine::image::Reference;
use bollard::models as m;
use clap::Args;

use super::door::Door;
use super::transfer_progress;
use super::{CliResult, Failure};

#[derive(Args, Debug)]
pub struct PullArgs {
    /// Set platform if server is multi-platform capable
    #[arg(long)]
    platform: Option<String>,
    /// Suppress verbose output
    #[arg(short = 'q', long)]
    quiet: bool,
    /// Download all tagged images in the repository (not supported)
    #[arg(short = 'a', long = "all-tags")]
    all_tags: bool,
    image: String,
}

#[derive(Args, Debug)]
pub struct PushArgs {
    /// Suppress verbose output
    #[arg(short = 'q', long)]
    quiet: bool,
    image: String,
}

#[derive(Args, Debug)]
pub struct LoginArgs {
    /// Username
    #[arg(short = 'u', long)]
    username: Option<String>,
    /// Password
    #[arg(short = 'p', long)]
    password: Option<String>,
    /// Take the password from stdin
    #[arg(long = "password-stdin")]
    password_stdin: bool,
    /// The registry (default: Docker Hub)
    server: Option<String>,
}

#[derive(Args, Debug)]
pub struct LogoutArgs {
    server: Option<String>,
}

/// `name` with Docker's default tag made explicit, and whether it was added.
fn with_tag(image: &str) -> (String, bool) {
    match Reference::parse(image) {
        Ok(r) if r.tag.is_none() && r.digest.is_none() => (format!("{image}:latest"), true),
        _ => (image.to_string(), false),
    }
}

/// Pull `image` showing Docker's progress on `out`; the full reference at the end.
pub fn pull_image(
    door: &Door,
    image: &str,
    platform: Option<String>,
    quiet: bool,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let (reference, defaulted) = with_tag(image);
    if defaulted && !quiet {
        let _ = writeln!(out, "Using default tag: latest");
    }
    pull_progress(door, image, platform, quiet, &mut *out)?;
    let full = Reference::parse(&reference)
        .map(|r| berth_engine::image::reference::docker_long_form(&r.to_string()))
        .unwrap_or(reference);
    let _ = writeln!(out, "{full}");
    Ok(())
}

/// The pull itself with its progress on `out` unless `quiet` (what `run` shows before
/// it creates).
pub fn pull_progress(
    door: &Door,
    image: &str,
    platform: Option<String>,
    quiet: bool,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let (reference, _) = with_tag(image);
    let stream = door.call(door.backend().image_pull(
        &reference,
        platform,
        auth_for(&reference),
    ))?;
    door.block_on(transfer_progress::show(stream, out, quiet))
        .map_err(|e| Failure::from(format!("Error response from daemon: {e}")))
}

pub fn pull(door: &Door, a: PullArgs) -> CliResult {
    if a.all_tags {
        return Err(Failure::usage(
            "--all-tags is not supported: pull the tags one by one",
        ));
    }
    pull_image(door, &a.image, a.platform, a.quiet, &mut std::io::stdout())?;
    Ok(0)
}

pub fn push(door: &Door, a: PushArgs) -> CliResult {
    let (reference, defaulted) = with_tag(&a.image);
    let mut out = std::io::stdout();
    if defaulted && !a.quiet {
        println!("Using default tag: latest");
    }
    let stream = door.call(door.backend().image_push(&reference, auth_for(&reference)))?;
    door.block_on(transfer_progress::show(stream, &mut out, a.quiet))
        .map_err(|e| Failure::from(format!("Error response from daemon: {e}")))?;
    if a.quiet {
        println!("{reference}");
    }
    Ok(0)
}

pub fn login(door: &Door, a: LoginArgs) -> CliResult {
    let server = a.server.clone().unwrap_or_else(|| HUB_AUTH_KEY.to_string());
    if a.password.is_some() && a.password_stdin {
        return Err(Failure::usage(
            "--password and --password-stdin are mutually exclusive",
        ));
    }
    if a.password.is_some() {
        eprintln!("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
    }
    let interactive = std::io::stdin().is_terminal();
    let username = match a.username {
        Some(u) => u,
        None if interactive && !a.password_stdin => prompt("Username: ")?,
        None => {
            return Err(Failure::from(
                "Error: Cannot perform an interactive login from a non TTY device",
            ))
        }
    };
    let password = match (a.password, a.password_stdin) {
        (Some(p), _) => p,
        (None, true) => {
            let mut p = String::new();
            std::io::stdin()
                .read_to_string(&mut p)
                .map_err(|e| Failure::from(format!("reading the password from stdin: {e}")))?;
            p.trim_end_matches(['\n', '\r']).to_string()
        }
        (None, false) if interactive => prompt("Password: ")?,
        (None, false) => {
            return Err(Failure::from(
                "Error: Cannot perform an interactive login from a non TTY device",
            ))
        }
    };
    if username.is_empty() || password.is_empty() {
        return Err(Failure::from("Error: Username and password are required"));
    }
    let auth = m::AuthConfig {
        username: Some(username.clone()),
        password: Some(password.clone()),
        serveraddress: Some(server.clone()),
    };
    door.call(door.backend().registry_login(auth))?;
    let file = AuthFile::new(docker_config_path());
    file.store(&server, &Credentials { username, password })
        .map_err(|e| Failure::from(format!("Error saving credentials: {e}")))?;
    println!("Login Succeeded");
    Ok(0)
}

pub fn logout(a: LogoutArgs) -> CliResult {
    let server = a.server.unwrap_or_else(|| HUB_AUTH_KEY.to_string());
    let file = AuthFile::new(docker_config_path());
    match file.erase(&server) {
        Ok(true) => println!("Removing login credentials for {server}"),
        Ok(false) => println!("Not logged in to {server}"),
        Err(e) => return Err(Failure::from(format!("Error: {e}"))),
    }
    Ok(0)
}

/// A line typed at the terminal (the password with echo off).
fn prompt(what: &str) -> Result<String, Failure> {
    let hide = what.starts_with("Password");
    print!("{what}");
    let _ = std::io::stdout().flush();
    if hide {
        let _ = crossterm::terminal::enable_raw_mode();
        let mut p = String::new();
        let mut byte = [0u8; 1];
        while std::io::stdin()
            .read(&mut byte)
            .map(|n| n == 1)
            .unwrap_or(false)
        {
            match byte[0] {
                b'\r' | b'\n' => break,
                3 => {
                    let _ = crossterm::terminal::disable_raw_mode();
                    return Err(Failure::from(""));
                }
                127 | 8 => {
                    p.pop();
                }
                b => p.push(b as char),
            }
        }
        let _ = crossterm::terminal::disable_raw_mode();
        println!();
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::from(e.to_string()))?;
    Ok(line.trim().to_string())
}
