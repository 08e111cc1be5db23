//! `swarm init`, `swarm leave`, `swarm join-token` and `swarm join`, in Docker's words.
//! Berth's swarm is this host alone: the join hints carry a note saying so, and `join`
//! is refused with the way to a real Swarm.

use bollard::models as m;
use clap::Subcommand;

use super::ONE_HOST_NOTE;
use crate::cli::door::Door;
use crate::cli::{CliResult, Failure};

#[derive(Subcommand, Debug)]
pub enum SwarmCmd {
    /// Initialize a swarm
    Init {
        /// Advertised address (format: "<ip|interface>[:port]")
        #[arg(long = "advertise-addr")]
        advertise_addr: Option<String>,
        /// Listen address (format: "<ip|interface>[:port]")
        #[arg(long = "listen-addr", default_value = "0.0.0.0:2377")]
        listen_addr: String,
        /// Task history retention limit
        #[arg(long = "task-history-limit")]
        task_history_limit: Option<i64>,
        /// Port number to use for data path traffic (1024 - 49151). If no value is set or is set to 0, the default port (4789) is used.
        #[arg(long = "data-path-port")]
        data_path_port: Option<u32>,
    },
    /// Leave the swarm
    Leave {
        /// Force this node to leave the swarm, ignoring warnings
        #[arg(short = 'f', long)]
        force: bool,
    },
    /// Manage join tokens
    #[command(name = "join-token")]
    JoinToken {
        /// Only display token
        #[arg(short = 'q', long)]
        quiet: bool,
        /// Rotate join token (not available on Berth's one-host swarm)
        #[arg(long)]
        rotate: bool,
        /// worker or manager
        role: String,
    },
    /// Join a swarm as a node and/or manager (refused: Berth's swarm is this host only)
    Join {
        /// Token for entry into the swarm
        #[arg(long)]
        token: Option<String>,
        /// Advertised address (format: "<ip|interface>[:port]")
        #[arg(long = "advertise-addr")]
        advertise_addr: Option<String>,
        /// Listen address (format: "<ip|interface>[:port]")
        #[arg(long = "listen-addr")]
        listen_addr: Option<String>,
        /// HOST:PORT of a manager
        host: String,
    },
}

pub fn run(door: &Door, cmd: SwarmCmd) -> CliResult {
    let b = door.backend();
    match cmd {
        SwarmCmd::Init {
            advertise_addr,
            listen_addr,
            task_history_limit,
            data_path_port,
        } => {
            let spec = task_history_limit.map(|n| m::SwarmSpec {
                orchestration: Some(m::SwarmSpecOrchestration {
                    task_history_retention_limit: Some(n),
                }),
                ..Default::default()
            });
            let req = m::SwarmInitRequest {
                listen_addr: Some(listen_addr),
                advertise_addr,
                spec,
                // A Docker engine's VXLAN port; Berth's own swarm has no VXLAN and
                // ignores it.
                data_path_port: data_path_port.filter(|p| *p != 0),
                ..Default::default()
            };
            let node_id = door.call(b.swarm_init(req))?;
            println!("Swarm initialized: current node ({node_id}) is now a manager.\n");
            print!("{}", join_command(door, &node_id, true, false)?);
            println!(
                "To add a manager to this swarm, run 'berth swarm join-token manager' and follow the instructions.\n"
            );
            if door.is_local() {
                eprintln!("{ONE_HOST_NOTE}");
            }
            Ok(0)
        }
        SwarmCmd::Leave { force } => {
            door.call(b.swarm_leave(force))?;
            println!("Node left the swarm.");
            Ok(0)
        }
        SwarmCmd::JoinToken {
            quiet,
            rotate,
            role,
        } => {
            let (worker, manager) = (role == "worker", role == "manager");
            if !worker && !manager {
                return Err(format!("unknown role {role}").into());
            }
            if rotate {
                return Err(
                    "berth swarm join-token --rotate: Berth's one-host swarm has no other nodes to \
                     keep out, so its tokens are not rotated"
                        .into(),
                );
            }
            let swarm = door.call(b.swarm_inspect())?;
            let tokens = swarm.join_tokens.unwrap_or_default();
            if quiet {
                let token = if worker {
                    tokens.worker
                } else {
                    tokens.manager
                };
                println!("{}", token.unwrap_or_default());
                return Ok(0);
            }
            let info = door.call(b.info())?;
            let node_id = info
                .swarm
                .and_then(|s| s.node_id)
                .filter(|id| !id.is_empty())
                .ok_or_else(|| Failure::from("berth: this host's swarm node is not known"))?;
            print!("{}", join_command(door, &node_id, worker, manager)?);
            if door.is_local() {
                eprintln!("{ONE_HOST_NOTE}");
            }
            Ok(0)
        }
        SwarmCmd::Join { host, .. } => Err(Failure::from(format!(
            "berth swarm join {host}: Berth's swarm runs on this host only and cannot join \
             another. To make this host part of a multi-host swarm, run a real Swarm: a Docker \
             engine, driven through the Docker backend."
        ))),
    }
}

/// Docker's join hint (`printJoinCommand`): the token and the manager's address.
fn join_command(
    door: &Door,
    node_id: &str,
    worker: bool,
    manager: bool,
) -> Result<String, Failure> {
    let b = door.backend();
    let node = door.call(b.node_inspect(node_id))?;
    let swarm = door.call(b.swarm_inspect())?;
    Ok(join_text(&node, &swarm, worker, manager))
}

fn join_text(node: &m::Node, swarm: &m::Swarm, worker: bool, manager: bool) -> String {
    let mut out = String::new();
    let Some(status) = node.manager_status.as_ref() else {
        return out;
    };
    let addr = status.addr.clone().unwrap_or_default();
    let tokens = swarm.join_tokens.clone().unwrap_or_default();
    let mut hint = |role: &str, token: Option<String>| {
        out.push_str(&format!(
            "To add a {role} to this swarm, run the following command:\n\n    berth swarm join --token {} {addr}\n\n",
            token.unwrap_or_default()
        ));
    };
    if worker {
        hint("worker", tokens.worker);
    }
    if manager {
        hint("manager", tokens.manager);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_join_hint_is_dockers() {
        let node = m::Node {
            manager_status: Some(m::ManagerStatus {
                leader: Some(true),
                reachability: Some(m::Reachability::REACHABLE),
                addr: Some("10.0.0.5:2377".into()),
            }),
            ..Default::default()
        };
        let swarm = m::Swarm {
            join_tokens: Some(m::JoinTokens {
                worker: Some("SWMTKN-1-w".into()),
                manager: Some("SWMTKN-1-m".into()),
            }),
            ..Default::default()
        };
        assert_eq!(
            join_text(&node, &swarm, false, true),
            "To add a manager to this swarm, run the following command:\n\n    \
             berth swarm join --token SWMTKN-1-m 10.0.0.5:2377\n\n"
        );
        assert!(join_text(&node, &swarm, true, false).contains("SWMTKN-1-w 10.0.0.5:2377"));
        assert_eq!(join_text(&m::Node::default(), &swarm, true, true), "");
    }
}
