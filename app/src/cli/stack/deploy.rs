//! `stack deploy`: load the compose files with the stack's name as the project's,
//! convert them (`stack::convert`), then create what is missing and update what is
//! there, in Docker's order and words: secrets, configs, networks, services. A
//! redeploy sends every service's spec again; the swarm replaces tasks only of the
//! services whose task template changed.

use std::collections::{BTreeMap, HashMap};

use bollard::models as m;

use super::stack_filter;
use crate::cli::door::Door;
use crate::cli::{CliResult, Failure};
use crate::compose::load::{load, LoadOptions};
use crate::stack::convert::{convert, Plan};

#[derive(clap::Args, Debug)]
pub struct DeployArgs {
    /// Path to a Compose file, or "-" to read from stdin
    #[arg(short = 'c', long = "compose-file", required = true)]
    compose_file: Vec<String>,
    /// Prune services that are no longer referenced
    #[arg(long)]
    prune: bool,
    /// Query the registry to resolve image digest and supported platforms
    /// ("always", "changed", "never"); images are used as named here
    #[arg(long = "resolve-image", default_value = "always")]
    resolve_image: String,
    /// Send registry authentication details to Swarm agents
    #[arg(long = "with-registry-auth")]
    with_registry_auth: bool,
    /// Exit immediately instead of waiting for the stack services to converge
    #[arg(short = 'd', long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    detach: bool,
    /// Suppress progress output
    #[arg(short = 'q', long)]
    quiet: bool,
    stack: String,
}

fn plan(a: &DeployArgs) -> Result<Plan, Failure> {
    if !["always", "changed", "never"].contains(&a.resolve_image.as_str()) {
        return Err(format!(
            "Invalid option {} for flag --resolve-image",
            a.resolve_image
        )
        .into());
    }
    let working_dir = std::env::current_dir()
        .map_err(|e| Failure::from(format!("cannot read the working directory: {e}")))?;
    let stdin = if a.compose_file.iter().any(|f| f == "-") {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| Failure::from(format!("reading the compose file from stdin: {e}")))?;
        Some(text)
    } else {
        None
    };
    let opts = LoadOptions {
        files: a.compose_file.clone(),
        project_name: Some(a.stack.clone()),
        working_dir,
        process_env: std::env::vars().collect(),
        stdin,
        ..Default::default()
    };
    let loaded = load(&opts).map_err(|e| Failure::from(e.to_string()))?;
    let mut env: BTreeMap<String, String> = loaded.environment.files.clone();
    env.extend(loaded.environment.process.clone());
    let plan = convert(&a.stack, &loaded.project, &env).map_err(Failure::from)?;
    Ok(plan)
}

pub fn run(door: &Door, a: DeployArgs) -> CliResult {
    let b = door.backend();
    // Docker's refusal where there is no swarm, before the files are read.
    door.call(b.swarm_inspect())?;
    let plan = plan(&a)?;
    for w in &plan.warnings {
        eprintln!("{w}\n");
    }
    let filter = stack_filter(&a.stack);

    for spec in &plan.secrets {
        let name = spec.name.clone().unwrap_or_default();
        // A secret's data never changes in a swarm: one that exists is kept.
        if door.call(b.secret_inspect(&name)).is_err() {
            println!("Creating secret {name}");
            door.call(b.secret_create(spec.clone()))?;
        }
    }
    for spec in &plan.configs {
        let name = spec.name.clone().unwrap_or_default();
        if door.call(b.config_inspect(&name)).is_err() {
            println!("Creating config {name}");
            door.call(b.config_create(spec.clone()))?;
        }
    }

    for name in &plan.external_networks {
        let found = door.call(b.network_inspect(name));
        if found.is_err() || found.is_ok_and(|n| n.scope.as_deref() != Some("swarm")) {
            return Err(format!(
                "network \"{name}\" is declared as external, but could not be found. You need to create a swarm-scoped network before the stack is deployed"
            )
            .into());
        }
    }
    let existing: Vec<String> = door
        .call(
            b.network_list(bollard::query_parameters::ListNetworksOptions {
                filters: Some(filter.clone()),
            }),
        )?
        .into_iter()
        .filter_map(|n| n.name)
        .collect();
    for (name, req) in &plan.networks {
        if !existing.contains(name) {
            println!("Creating network {name}");
            door.call(b.network_create(req.clone()))?;
        }
    }

    let mut running: HashMap<String, m::Service> = door
        .call(b.service_list(filter, false))?
        .into_iter()
        .map(|s| (super::super::swarm::service_name(&s), s))
        .collect();
    let mut ids = Vec::new();
    for spec in &plan.services {
        let name = spec.name.clone().unwrap_or_default();
        match running.remove(&name) {
            Some(s) => {
                let id = s.id.clone().unwrap_or_default();
                println!("Updating service {name} (id: {id})");
                let version = s.version.and_then(|v| v.index).unwrap_or(0);
                door.call(b.service_update(&id, version, spec.clone(), false))?;
                ids.push(id);
            }
            None => {
                println!("Creating service {name}");
                let r = door.call(b.service_create(spec.clone()))?;
                ids.push(r.id.unwrap_or_default());
            }
        }
    }
    if a.prune {
        let mut gone: Vec<_> = running.into_values().collect();
        gone.sort_by_key(super::super::swarm::service_name);
        for s in gone {
            println!("Removing service {}", super::super::swarm::service_name(&s));
            door.call(b.service_remove(s.id.as_deref().unwrap_or_default()))?;
        }
    }
    if !a.detach {
        for id in &ids {
            crate::cli::swarm::progress::wait(door, id, a.quiet)?;
        }
    }
    Ok(0)
}
