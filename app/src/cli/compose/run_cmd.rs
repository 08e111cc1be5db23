//! `compose run`: a one-off container of a service (`PROJECT-SERVICE-run-ID`, labelled
//! one-off), its dependencies started first unless `--no-deps`, the service's ports
//! published only with `--service-ports`, attached like `docker run` (or `-d`), removed
//! after with `--rm`.

use std::collections::BTreeSet;
use std::io::IsTerminal;

use super::args::{ComposeArgs, RunArgs};
use super::lifecycle::failure;
use super::printer;
use super::project;
use crate::cli::door::Door;
use crate::cli::session::{self, Session};
use crate::cli::{CliResult, Failure};
use crate::compose::container_spec::{run_container_name, Spec};
use crate::compose::graph::Graph;
use crate::compose::hash::service_hash;
use crate::compose::model::{ServiceVolume, ShellCommand};
use crate::compose::run::images::{self, ImageOptions};
use crate::compose::run::up::{self, create_container, UpOptions};

pub fn run_cmd(door: &Door, a: &ComposeArgs, r: RunArgs) -> CliResult {
    let loaded = project(a, std::slice::from_ref(&r.service))?;
    let p = &loaded.project;
    let Some(base) = p.services.get(&r.service) else {
        return Err(Failure::from(format!("no such service: {}", r.service)));
    };
    let b = door.backend();
    let deps: Vec<String> = Graph::of(p)
        .closure(std::slice::from_ref(&r.service))
        .into_iter()
        .filter(|s| s != &r.service)
        .collect();
    if !r.no_deps && !deps.is_empty() {
        let opts = UpOptions {
            services: deps,
            ..Default::default()
        };
        door.block_on(up::up(b, &loaded, &opts, &printer::print))
            .map_err(failure)?;
    } else {
        let one = BTreeSet::from([r.service.clone()]);
        door.block_on(async {
            up::networks(b, p, &one, &printer::print).await?;
            up::volumes(b, p, &one, &printer::print).await
        })
        .map_err(failure)?;
    }
    let one = BTreeSet::from([r.service.clone()]);
    let image_opts = ImageOptions {
        build: if r.build {
            images::BuildPolicy::Always
        } else {
            images::BuildPolicy::Missing
        },
        ..Default::default()
    };
    let found = door
        .block_on(images::ensure(b, p, &one, &image_opts, &printer::print))
        .map_err(failure)?;

    let mut svc = base.clone();
    let slug = berth_engine::store::ids::random_hex(6);
    svc.container_name = Some(
        r.name
            .clone()
            .unwrap_or_else(|| run_container_name(p.name(), &r.service, &slug)),
    );
    if !r.command.is_empty() {
        svc.command = Some(ShellCommand::Exec(r.command.clone()));
    }
    if let Some(e) = &r.entrypoint {
        svc.entrypoint = Some(ShellCommand::Shell(e.clone()));
    }
    for kv in &r.env {
        match kv.split_once('=') {
            Some((k, v)) => svc.environment.insert(k.into(), Some(v.into())),
            None => svc
                .environment
                .insert(kv.clone(), loaded.environment.get(kv)),
        };
    }
    for kv in &r.labels {
        let (k, v) = kv.split_once('=').unwrap_or((kv.as_str(), ""));
        svc.labels.insert(k.into(), v.into());
    }
    if let Some(u) = &r.user {
        svc.user = Some(u.clone());
    }
    if let Some(w) = &r.workdir {
        svc.working_dir = Some(w.clone());
    }
    if !r.service_ports {
        svc.ports.clear();
    }
    for spec in &r.publish {
        let port = published(spec)?;
        svc.ports.push(port);
    }
    for v in &r.volumes {
        svc.volumes.push(volume(v, &loaded.dir)?);
    }
    let interactive = !r.detach;
    svc.tty = !r.no_tty && interactive && std::io::stdin().is_terminal();
    svc.stdin_open = interactive;
    svc.restart = None;

    let image = found
        .get(&r.service)
        .cloned()
        .unwrap_or_else(|| svc.image_or_default(p.name(), &r.service));
    let files: Vec<String> = loaded.files.iter().map(|f| f.name()).collect();
    let hash = service_hash(&svc);
    let spec = Spec {
        project: p,
        service_name: &r.service,
        service: &svc,
        number: 1,
        oneoff: true,
        image,
        working_dir: &loaded.dir,
        config_files: &files,
        config_hash: &hash,
    };
    let quiet = |_: crate::compose::run::progress::Progress| {};
    let (id, name) = door
        .block_on(create_container(b, &loaded, &spec, r.rm, &quiet))
        .map_err(failure)?;
    if r.detach {
        door.call(b.container_start(&id))?;
        println!("{name}");
        return Ok(0);
    }
    let s = Session {
        id: &id,
        start: true,
        condition: if r.rm { "removed" } else { "next-exit" },
        stdin: interactive,
        stdout: true,
        stderr: true,
        tty: svc.tty,
        sig_proxy: true,
        detach_keys: crate::cli::detach_keys::DEFAULT.to_vec(),
    };
    session::run(door, s, |e| Failure {
        code: session::start_exit_code(&e.message),
        message: format!("Error response from daemon: {}", e.message),
    })
}

/// `-p [[IP:]HOST:]CONTAINER[/PROTO]` as a port entry.
fn published(spec: &str) -> Result<crate::compose::model::Port, Failure> {
    let yaml = format!("services:\n  s:\n    image: x\n    ports: [{spec:?}]\n");
    let tree =
        crate::compose::tree::parse("-p", &yaml).map_err(|e| Failure::usage(e.to_string()))?;
    let tree = crate::compose::shape::canonical(tree)
        .map_err(|e| Failure::usage(format!("invalid -p {spec:?}: {}", e.message)))?;
    let port = tree
        .get("services")
        .and_then(|s| s.get("s"))
        .and_then(|s| s.get("ports"))
        .and_then(|p| p.as_seq().and_then(|v| v.first()).cloned())
        .ok_or_else(|| Failure::usage(format!("invalid -p {spec:?}")))?;
    serde_json::from_value(port.to_json("", &mut Default::default()))
        .map_err(|e| Failure::usage(format!("invalid -p {spec:?}: {e}")))
}

/// `-v SRC:DST[:MODE]` as a mount entry, a relative source from the project directory.
fn volume(spec: &str, dir: &std::path::Path) -> Result<ServiceVolume, Failure> {
    let yaml = format!("services:\n  s:\n    image: x\n    volumes: [{spec:?}]\n");
    let tree =
        crate::compose::tree::parse("-v", &yaml).map_err(|e| Failure::usage(e.to_string()))?;
    let mut tree = crate::compose::shape::canonical(tree)
        .map_err(|e| Failure::usage(format!("invalid -v {spec:?}: {}", e.message)))?;
    crate::compose::relocate::relocate_all(&mut tree, dir);
    let v = tree
        .get("services")
        .and_then(|s| s.get("s"))
        .and_then(|s| s.get("volumes"))
        .and_then(|p| p.as_seq().and_then(|v| v.first()).cloned())
        .ok_or_else(|| Failure::usage(format!("invalid -v {spec:?}")))?;
    serde_json::from_value(v.to_json("", &mut Default::default()))
        .map_err(|e| Failure::usage(format!("invalid -v {spec:?}: {e}")))
}
