//! `stack`: compose files deployed as swarm services (`deploy`), and the stacks seen
//! through their label `com.docker.stack.namespace` (`ls`, `services`, `ps`, `rm`), as
//! the docker CLI does all of it on the client, so the same commands drive Berth's
//! swarm mode and a real Swarm through the engine interface.

mod deploy;
mod rm;

use std::collections::{BTreeMap, HashMap};

use serde_json::json;

use crate::cli::door::Door;
use crate::cli::output::print_rows;
use crate::cli::swarm::{service_ls, TaskListArgs};
use crate::cli::CliResult;
use crate::stack::convert::NAMESPACE;

#[derive(clap::Subcommand, Debug)]
pub enum StackCmd {
    /// Deploy a new stack or update an existing stack
    #[command(visible_alias = "up")]
    Deploy(deploy::DeployArgs),
    /// List stacks
    #[command(visible_alias = "list")]
    Ls {
        /// Format output using a custom template
        #[arg(long)]
        format: Option<String>,
    },
    /// List the tasks in the stack
    Ps {
        #[command(flatten)]
        list: TaskListArgs,
        stack: String,
    },
    /// Remove one or more stacks
    #[command(visible_aliases = ["remove", "down"])]
    Rm {
        /// Do not wait for stack removal
        #[arg(short = 'd', long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
        detach: bool,
        #[arg(required = true)]
        stacks: Vec<String>,
    },
    /// List the services in the stack
    Services {
        /// Filter output based on conditions provided
        #[arg(short = 'f', long = "filter")]
        filter: Vec<String>,
        /// Format output using a custom template
        #[arg(long)]
        format: Option<String>,
        /// Only display IDs
        #[arg(short = 'q', long)]
        quiet: bool,
        stack: String,
    },
}

/// Docker's filter for a stack's objects.
pub fn stack_filter(stack: &str) -> HashMap<String, Vec<String>> {
    HashMap::from([("label".to_string(), vec![format!("{NAMESPACE}={stack}")])])
}

pub fn run(door: &Door, cmd: StackCmd) -> CliResult {
    match cmd {
        StackCmd::Deploy(a) => deploy::run(door, a),
        StackCmd::Ls { format } => ls(door, format),
        StackCmd::Ps { list, stack } => ps(door, &list, &stack),
        StackCmd::Rm { detach, stacks } => rm::run(door, &stacks, detach),
        StackCmd::Services {
            filter,
            format,
            quiet,
            stack,
        } => {
            let mut filter = filter;
            filter.push(format!("label={NAMESPACE}={stack}"));
            let b = door.backend();
            if door
                .call(b.service_list(stack_filter(&stack), false))?
                .is_empty()
            {
                eprintln!("Nothing found in stack: {stack}");
                return Ok(0);
            }
            service_ls::ls(door, quiet, &filter, format)
        }
    }
}

/// `stack ls`: each stack with its number of services.
fn ls(door: &Door, format: Option<String>) -> CliResult {
    let b = door.backend();
    let services = door.call(b.service_list(
        HashMap::from([("label".to_string(), vec![NAMESPACE.to_string()])]),
        false,
    ))?;
    let mut stacks: BTreeMap<String, usize> = BTreeMap::new();
    for s in &services {
        let labels = s.spec.as_ref().and_then(|sp| sp.labels.as_ref());
        if let Some(name) = labels.and_then(|l| l.get(NAMESPACE)) {
            *stacks.entry(name.clone()).or_default() += 1;
        }
    }
    let rows: Vec<_> = stacks
        .into_iter()
        .map(|(name, n)| json!({"Name": name, "Services": n.to_string(), "Orchestrator": "Swarm"}))
        .collect();
    print_rows(
        &rows,
        &[
            ("Name", "NAME"),
            ("Services", "SERVICES"),
            ("Orchestrator", "ORCHESTRATOR"),
        ],
        // Docker's CLI still shows the orchestrator, always Swarm now.
        "table {{.Name}}\t{{.Services}}\t{{.Orchestrator}}",
        format.as_deref(),
    )?;
    Ok(0)
}

/// `stack ps`: the tasks of the stack's services.
fn ps(door: &Door, args: &TaskListArgs, stack: &str) -> CliResult {
    let b = door.backend();
    let services = door.call(b.service_list(stack_filter(stack), false))?;
    if services.is_empty() {
        return Err(format!("nothing found in stack: {stack}").into());
    }
    let mut filters = args.filters()?.query(&[]).unwrap_or_default();
    let mut tasks = Vec::new();
    for s in &services {
        filters.insert("service".into(), vec![s.id.clone().unwrap_or_default()]);
        tasks.extend(door.call(b.task_list(filters.clone()))?);
    }
    args.print(door, tasks)?;
    Ok(0)
}
