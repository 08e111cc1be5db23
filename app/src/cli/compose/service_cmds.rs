//! Compose commands about one service's containers or images: `exec`, `port`, `top`,
//! `images`, `build`, `pull`, `push`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;

use futures_util::StreamExt;

use super::args::{BuildArgs, ComposeArgs, ExecArgs, ImagesArgs, PortArgs, PullArgs, ServicesArgs};
use super::lifecycle::{failure, selected};
use super::printer;
use super::project;
use crate::cli::door::Door;
use crate::cli::{CliResult, Failure};
use crate::compose::run::images::{self, BuildPolicy, ImageOptions};
use crate::compose::run::state::Existing;

/// Replica `index` of `service`, as `--index` picks it.
fn replica(door: &Door, a: &ComposeArgs, service: &str, index: u32) -> Result<Existing, Failure> {
    let cs = selected(door, a, &[service.to_string()])?;
    cs.into_iter()
        .find(|c| c.number == index)
        .ok_or_else(|| Failure::from(format!("service {service:?} is not running")))
}

pub fn exec_cmd(door: &Door, a: &ComposeArgs, e: ExecArgs) -> CliResult {
    let c = replica(door, a, &e.service, e.index)?;
    if !c.running() {
        return Err(Failure::from(format!(
            "service {:?} is not running",
            e.service
        )));
    }
    let mut args = vec![c.id.clone()];
    args.extend(e.command);
    // Compose gives exec a terminal when it has one, unless -T.
    let tty = !e.no_tty && !e.detach && std::io::stdin().is_terminal();
    crate::cli::exec::run(
        door,
        crate::cli::exec::ExecArgs {
            detach: e.detach,
            interactive: !e.detach,
            tty,
            env: e.env,
            env_file: Vec::new(),
            user: e.user,
            workdir: e.workdir,
            privileged: e.privileged,
            args,
        },
    )
}

pub fn port_cmd(door: &Door, a: &ComposeArgs, p: PortArgs) -> CliResult {
    let c = replica(door, a, &p.service, p.index)?;
    let i = door.call(door.backend().container_inspect(&c.id, false))?;
    let key = format!("{}/{}", p.private_port, p.protocol);
    let bound = i
        .network_settings
        .and_then(|n| n.ports)
        .and_then(|ports| ports.get(&key).cloned().flatten())
        .and_then(|b| b.into_iter().next());
    match bound {
        Some(b) => {
            println!(
                "{}:{}",
                b.host_ip.unwrap_or_else(|| "0.0.0.0".into()),
                b.host_port.unwrap_or_default()
            );
            Ok(0)
        }
        None => Err(Failure::from(format!(
            "no port {key} for container {}",
            c.name
        ))),
    }
}

pub fn top_cmd(door: &Door, a: &ComposeArgs, s: ServicesArgs) -> CliResult {
    let cs = selected(door, a, &s.services)?;
    for c in cs.iter().filter(|c| c.running()) {
        let top = door.call(door.backend().container_top(&c.id, None))?;
        println!("{}", c.name);
        let titles = top.titles.unwrap_or_default();
        let rows = top.processes.unwrap_or_default();
        let mut width: Vec<usize> = titles.iter().map(String::len).collect();
        for r in &rows {
            for (i, v) in r.iter().enumerate() {
                if i < width.len() {
                    width[i] = width[i].max(v.len());
                }
            }
        }
        let line = |cells: &[String]| {
            let text: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(i, v)| format!("{v:<w$}", w = width.get(i).copied().unwrap_or(0)))
                .collect();
            println!("{}", text.join("   ").trim_end());
        };
        line(&titles);
        for r in &rows {
            line(r);
        }
        println!();
    }
    Ok(0)
}

pub fn images_cmd(door: &Door, a: &ComposeArgs, i: ImagesArgs) -> CliResult {
    let cs = selected(door, a, &i.services)?;
    let b = door.backend();
    let mut rows = Vec::new();
    for c in &cs {
        let Ok(img) = door.call(b.image_inspect(&c.image)) else {
            continue;
        };
        let id = img.id.unwrap_or_default();
        if i.quiet {
            println!("{id}");
            continue;
        }
        let (repo, tag) = match c.image.rsplit_once(':').filter(|(_, t)| !t.contains('/')) {
            Some((r, t)) => (r.to_string(), t.to_string()),
            None => (c.image.clone(), "latest".into()),
        };
        let size = crate::format::human::human_size(img.size.unwrap_or(0).max(0) as u64);
        let short: String = id.trim_start_matches("sha256:").chars().take(12).collect();
        rows.push(vec![c.name.clone(), repo, tag, short, size]);
    }
    if !i.quiet {
        let cols = ["CONTAINER", "REPOSITORY", "TAG", "IMAGE ID", "SIZE"];
        let mut width: Vec<usize> = cols.iter().map(|c| c.len()).collect();
        for r in &rows {
            for (k, v) in r.iter().enumerate() {
                width[k] = width[k].max(v.len());
            }
        }
        let line = |cells: Vec<&str>| {
            let text: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(k, v)| format!("{v:<w$}", w = width[k]))
                .collect();
            println!("{}", text.join("   ").trim_end());
        };
        line(cols.to_vec());
        for r in &rows {
            line(r.iter().map(String::as_str).collect());
        }
    }
    Ok(0)
}

fn chosen(
    all: impl Iterator<Item = String>,
    named: &[String],
) -> Result<BTreeSet<String>, Failure> {
    let all: BTreeSet<String> = all.collect();
    for n in named {
        if !all.contains(n) {
            return Err(Failure::from(format!("no such service: {n}")));
        }
    }
    Ok(if named.is_empty() {
        all
    } else {
        named.iter().cloned().collect()
    })
}

pub fn build_cmd(door: &Door, a: &ComposeArgs, bld: BuildArgs) -> CliResult {
    let loaded = project(a, &bld.services)?;
    let p = &loaded.project;
    let services = chosen(p.services.keys().cloned(), &bld.services)?;
    let mut build_args = BTreeMap::new();
    for kv in &bld.build_args {
        match kv.split_once('=') {
            Some((k, v)) => build_args.insert(k.to_string(), Some(v.to_string())),
            None => build_args.insert(kv.clone(), loaded.environment.get(kv)),
        };
    }
    let opts = ImageOptions {
        build: BuildPolicy::Always,
        no_cache: bld.no_cache,
        pull_base: bld.pull,
        build_args,
        ..Default::default()
    };
    let quiet = |_: crate::compose::run::progress::Progress| {};
    let sink: &(dyn Fn(crate::compose::run::progress::Progress) + Send + Sync) =
        if bld.quiet { &quiet } else { &printer::print };
    for s in &services {
        let svc = &p.services[s];
        if svc.build.is_none() {
            continue;
        }
        let image = svc.image_or_default(p.name(), s);
        door.block_on(images::build_one(
            door.backend(),
            s,
            svc,
            &image,
            &opts,
            sink,
        ))
        .map_err(failure)?;
    }
    Ok(0)
}

pub fn pull_cmd(door: &Door, a: &ComposeArgs, pl: PullArgs) -> CliResult {
    let loaded = project(a, &pl.services)?;
    let p = &loaded.project;
    let services = chosen(p.services.keys().cloned(), &pl.services)?;
    let quiet = |_: crate::compose::run::progress::Progress| {};
    let sink: &(dyn Fn(crate::compose::run::progress::Progress) + Send + Sync) =
        if pl.quiet { &quiet } else { &printer::print };
    for s in &services {
        let svc = &p.services[s];
        // A service built here with no image of its own has nothing to pull.
        let Some(image) = &svc.image else { continue };
        let pulled = door.block_on(images::pull_one(door.backend(), s, image, sink));
        match pulled {
            Ok(()) => {}
            Err(e) if pl.ignore_pull_failures || svc.build.is_some() => printer::print(
                crate::compose::run::progress::Progress::Warning(e.to_string()),
            ),
            Err(e) => return Err(failure(e)),
        }
    }
    Ok(0)
}

pub fn push_cmd(door: &Door, a: &ComposeArgs, ps: ServicesArgs) -> CliResult {
    let loaded = project(a, &ps.services)?;
    let p = &loaded.project;
    let services = chosen(p.services.keys().cloned(), &ps.services)?;
    for s in &services {
        let svc = &p.services[s];
        if svc.build.is_none() {
            continue;
        }
        let image = svc.image_or_default(p.name(), s);
        printer::print(crate::compose::run::progress::Progress::status(
            crate::compose::run::progress::Kind::Image,
            &image,
            "Pushing",
        ));
        let auth = crate::client_auth::auth_for(&image);
        let mut stream = door.call(door.backend().image_push(&image, auth))?;
        while let Some(msg) = door.block_on(stream.next()) {
            let msg = msg?;
            if let Some(err) = msg.error_detail.and_then(|d| d.message) {
                return Err(Failure::from(err));
            }
        }
        printer::print(crate::compose::run::progress::Progress::status(
            crate::compose::run::progress::Kind::Image,
            &image,
            "Pushed",
        ));
    }
    Ok(0)
}
