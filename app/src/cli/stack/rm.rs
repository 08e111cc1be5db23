//! `stack rm`: the stack's services, then its secrets, configs and networks, each by
//! its namespace label, with Docker's words for each. Networks go once the services'
//! tasks have left them (the engine removes what is left of tasks of removed services).

use std::collections::HashMap;

use super::stack_filter;
use crate::cli::door::Door;
use crate::cli::CliResult;

/// How long `stack rm` waits for the tasks to be gone (with `--detach=false`).
const CONVERGE: std::time::Duration = std::time::Duration::from_secs(60);

pub fn run(door: &Door, stacks: &[String], detach: bool) -> CliResult {
    let b = door.backend();
    let mut failed = false;
    for stack in stacks {
        let filter = stack_filter(stack);
        let services = door.call(b.service_list(filter.clone(), false))?;
        let secrets = door.call(b.secret_list(filter.clone()))?;
        let configs = door.call(b.config_list(filter.clone()))?;
        let networks = door.call(b.network_list(
            bollard::query_parameters::ListNetworksOptions {
                filters: Some(filter.clone()),
            },
        ))?;
        if services.is_empty() && secrets.is_empty() && configs.is_empty() && networks.is_empty() {
            eprintln!("Nothing found in stack: {stack}");
            continue;
        }
        let names = |id: Option<String>, name: Option<String>| {
            (id.unwrap_or_default(), name.unwrap_or_default())
        };
        let mut ids = Vec::new();
        for s in &services {
            let (id, name) = names(s.id.clone(), s.spec.as_ref().and_then(|sp| sp.name.clone()));
            println!("Removing service {name}");
            if let Err(e) = door.call(b.service_remove(&id)) {
                eprintln!("Failed to remove service {id}: {}", e.message);
                failed = true;
            }
            ids.push(id);
        }
        for s in &secrets {
            let (id, name) = names(s.id.clone(), s.spec.as_ref().and_then(|sp| sp.name.clone()));
            println!("Removing secret {name}");
            if let Err(e) = door.call(b.secret_remove(&id)) {
                eprintln!("Failed to remove secret {id}: {}", e.message);
                failed = true;
            }
        }
        for c in &configs {
            let (id, name) = names(c.id.clone(), c.spec.as_ref().and_then(|sp| sp.name.clone()));
            println!("Removing config {name}");
            if let Err(e) = door.call(b.config_remove(&id)) {
                eprintln!("Failed to remove config {id}: {}", e.message);
                failed = true;
            }
        }
        for n in &networks {
            let (id, name) = names(n.id.clone(), n.name.clone());
            println!("Removing network {name}");
            if let Err(e) = door.call(b.network_remove(&id)) {
                eprintln!("Failed to remove network {id}: {}", e.message);
                failed = true;
            }
        }
        if !detach {
            wait_for_tasks(door, &ids);
        }
    }
    Ok(u8::from(failed))
}

/// Wait (bounded) until no task of the removed services is left.
fn wait_for_tasks(door: &Door, services: &[String]) {
    if services.is_empty() {
        return;
    }
    let b = door.backend();
    let until = std::time::Instant::now() + CONVERGE;
    println!("Waiting for the stack to be removed");
    while std::time::Instant::now() < until {
        let filters = HashMap::from([("service".to_string(), services.to_vec())]);
        match door.call(b.task_list(filters)) {
            Ok(t) if !t.is_empty() => std::thread::sleep(std::time::Duration::from_millis(200)),
            _ => return,
        }
    }
}
