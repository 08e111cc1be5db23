//! `context`: ls, show, use, create, rm and inspect, over the docker CLI's own context
//! store (see `crate::context`), so a context made here is one `docker context ls`
//! lists, and the other way round. `local`, Berth's own engine, and Docker's `default`
//! are built in.

use serde_json::{json, Value};

use super::output::print_rows;
use super::{CliResult, Failure};
use crate::context::store::TlsMaterial;
use crate::context::{ContextStore, Meta, DEFAULT, LOCAL, SYSTEM_SOCKET};

#[derive(clap::Subcommand, Debug)]
pub enum ContextCmd {
    /// List contexts
    #[command(visible_alias = "list")]
    Ls {
        /// Format output using a custom template
        #[arg(long)]
        format: Option<String>,
        /// Only show context names
        #[arg(short = 'q', long)]
        quiet: bool,
    },
    /// Print the name of the current context
    Show,
    /// Set the current context
    Use { name: String },
    /// Create a context
    Create {
        /// Description of the context
        #[arg(long, default_value = "")]
        description: String,
        /// set the docker endpoint (host=unix:///path, tcp://host:port or
        /// ssh://[user@]host[:port][,ca=PATH,cert=PATH,key=PATH][,skip-tls-verify=true])
        #[arg(long)]
        docker: String,
        name: String,
    },
    /// Remove one or more contexts
    #[command(visible_alias = "remove")]
    Rm {
        /// Force the removal of a context in use
        #[arg(short = 'f', long)]
        force: bool,
        #[arg(required = true)]
        names: Vec<String>,
    },
    /// Display detailed information on one or more contexts
    Inspect {
        #[arg(short = 'f', long)]
        format: Option<String>,
        names: Vec<String>,
    },
}

fn fail(e: String) -> Failure {
    Failure::from(e)
}

/// The context berth talks to when nothing else is chosen (the flags and variables
/// aside): the stored choice, else `local`.
fn current(store: &ContextStore) -> Result<String, Failure> {
    Ok(store
        .current()
        .map_err(fail)?
        .unwrap_or_else(|| LOCAL.into()))
}

/// What `--docker` says: the host, whether to skip verifying it, and TLS files.
#[derive(Debug, Default, PartialEq, Eq)]
struct DockerFlag {
    host: String,
    skip_tls_verify: bool,
    ca: Option<String>,
    cert: Option<String>,
    key: Option<String>,
}

/// `--docker host=...,ca=...,cert=...,key=...,skip-tls-verify=true` as the docker CLI
/// takes it.
fn docker_flag(v: &str) -> Result<DockerFlag, Failure> {
    let mut flag = DockerFlag::default();
    let mut host = None;
    for part in v.split(',').filter(|p| !p.is_empty()) {
        match part.split_once('=') {
            Some(("host", h)) => host = Some(h.to_string()),
            Some(("skip-tls-verify", b)) => {
                flag.skip_tls_verify = b
                    .parse()
                    .map_err(|_| fail(format!("invalid skip-tls-verify value {b:?}")))?;
            }
            Some(("ca", p)) => flag.ca = Some(p.to_string()),
            Some(("cert", p)) => flag.cert = Some(p.to_string()),
            Some(("key", p)) => flag.key = Some(p.to_string()),
            _ => {
                return Err(fail(format!(
                    "unable to parse docker host `{part}`: expected host=, ca=, cert=, key= or skip-tls-verify="
                )))
            }
        }
    }
    flag.host = host.ok_or_else(|| fail("--docker needs host=...".to_string()))?;
    crate::backend::docker::Endpoint::parse(&flag.host, None).map_err(fail)?;
    Ok(flag)
}

/// The TLS files `--docker` names, read now to be copied into the store (a path that
/// cannot be read is named).
fn tls_material(flag: &DockerFlag) -> Result<TlsMaterial, Failure> {
    let read = |what: &str, p: &Option<String>| -> Result<Option<Vec<u8>>, Failure> {
        p.as_ref()
            .filter(|p| !p.is_empty())
            .map(|p| std::fs::read(p).map_err(|e| fail(format!("cannot read {what} {p}: {e}"))))
            .transpose()
    };
    Ok(TlsMaterial {
        ca: read("CA certificate", &flag.ca)?,
        cert: read("TLS certificate", &flag.cert)?,
        key: read("TLS key", &flag.key)?,
    })
}

/// The built-in contexts as the store would hold them.
fn builtin(name: &str) -> Meta {
    let (description, host) = match name {
        LOCAL => (
            "Berth's own engine on this host".to_string(),
            format!(
                "berth://{}",
                berth_engine::Config::from_env()
                    .map(|c| c.paths().root.display().to_string())
                    .unwrap_or_default()
            ),
        ),
        _ => (
            "Current DOCKER_HOST based configuration".to_string(),
            std::env::var("DOCKER_HOST")
                .ok()
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| SYSTEM_SOCKET.into()),
        ),
    };
    Meta {
        name: name.into(),
        metadata: json!({ "Description": description }),
        endpoints: [(
            "docker".to_string(),
            json!({ "Host": host, "SkipTLSVerify": false }),
        )]
        .into_iter()
        .collect(),
    }
}

fn all(store: &ContextStore) -> Result<Vec<Meta>, Failure> {
    let mut v = vec![builtin(LOCAL), builtin(DEFAULT)];
    v.extend(store.list().map_err(fail)?);
    Ok(v)
}

fn lookup(store: &ContextStore, name: &str) -> Result<Meta, Failure> {
    match name {
        LOCAL | DEFAULT => Ok(builtin(name)),
        _ => store.get(name).map_err(fail),
    }
}

pub fn run(cmd: ContextCmd) -> CliResult {
    let store = ContextStore::open();
    match cmd {
        ContextCmd::Ls { format, quiet } => {
            let now = current(&store)?;
            let rows: Vec<Value> = all(&store)?
                .iter()
                .map(|m| {
                    let mark = if m.name == now { " *" } else { "" };
                    json!({
                        "Name": format!("{}{mark}", m.name),
                        "Current": m.name == now,
                        "Description": m.description(),
                        "DockerEndpoint": m.docker_endpoint().map(|d| d.host).unwrap_or_default(),
                        "Error": "",
                    })
                })
                .collect();
            let format = match (quiet, format) {
                (true, None) => Some("{{.Name}}".to_string()),
                (_, f) => f,
            };
            print_rows(
                &rows,
                &[
                    ("Name", "NAME"),
                    ("Description", "DESCRIPTION"),
                    ("DockerEndpoint", "DOCKER ENDPOINT"),
                    ("Error", "ERROR"),
                ],
                "table {{.Name}}\t{{.Description}}\t{{.DockerEndpoint}}\t{{.Error}}",
                format.as_deref(),
            )?;
            Ok(0)
        }
        ContextCmd::Show => {
            println!("{}", current(&store)?);
            Ok(0)
        }
        ContextCmd::Use { name } => {
            lookup(&store, &name)?;
            store.set_current(Some(&name)).map_err(fail)?;
            println!("{name}");
            if std::env::var("DOCKER_HOST").is_ok_and(|h| !h.is_empty()) {
                eprintln!("Warning: DOCKER_HOST environment variable overrides the active context. To use \"{name}\", either set the global --context flag, or unset DOCKER_HOST environment variable.");
            }
            eprintln!("Current context is now \"{name}\"");
            Ok(0)
        }
        ContextCmd::Create {
            description,
            docker,
            name,
        } => {
            let flag = docker_flag(&docker)?;
            let material = tls_material(&flag)?;
            store
                .create(
                    &name,
                    &description,
                    &flag.host,
                    flag.skip_tls_verify,
                    &material,
                )
                .map_err(fail)?;
            println!("{name}");
            eprintln!("Successfully created context \"{name}\"");
            Ok(0)
        }
        ContextCmd::Rm { force, names } => {
            let now = current(&store)?;
            let mut failed = false;
            for n in &names {
                if *n == now && !force {
                    eprintln!("context \"{n}\" is in use, set -f flag to force remove");
                    failed = true;
                    continue;
                }
                match store.remove(n) {
                    Ok(()) => {
                        if *n == now {
                            store.set_current(None).map_err(fail)?;
                        }
                        println!("{n}");
                    }
                    Err(e) => {
                        eprintln!("{e}");
                        failed = true;
                    }
                }
            }
            Ok(u8::from(failed))
        }
        ContextCmd::Inspect { format, names } => {
            let names = if names.is_empty() {
                vec![current(&store)?]
            } else {
                names
            };
            super::inspect::inspect_each(&names, format.as_deref(), |n| {
                let m = lookup(&store, n)?;
                let mut doc = serde_json::to_value(&m).map_err(|e| fail(e.to_string()))?;
                doc["TLSMaterial"] = if n == LOCAL || n == DEFAULT {
                    json!({})
                } else {
                    json!(store.tls_files(n))
                };
                doc["Storage"] = json!({
                    "MetadataPath": if n == LOCAL || n == DEFAULT { "<IN MEMORY>".into() } else { store.meta_dir(n).display().to_string() },
                    "TLSPath": if n == LOCAL || n == DEFAULT { "<IN MEMORY>".into() } else { store.tls_dir(n).display().to_string() },
                });
                Ok(doc)
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_docker_flag_is_read_as_the_docker_cli_reads_it() {
        let ok = |v: &str| docker_flag(v).ok();
        assert_eq!(
            ok("host=unix:///x.sock"),
            Some(DockerFlag {
                host: "unix:///x.sock".into(),
                ..Default::default()
            })
        );
        assert_eq!(
            ok("host=tcp://h:2375,skip-tls-verify=true"),
            Some(DockerFlag {
                host: "tcp://h:2375".into(),
                skip_tls_verify: true,
                ..Default::default()
            })
        );
        assert_eq!(
            ok("host=tcp://h:2376,ca=/c/ca.pem,cert=/c/cert.pem,key=/c/key.pem"),
            Some(DockerFlag {
                host: "tcp://h:2376".into(),
                skip_tls_verify: false,
                ca: Some("/c/ca.pem".into()),
                cert: Some("/c/cert.pem".into()),
                key: Some("/c/key.pem".into()),
            })
        );
        assert!(ok("host=ssh://me@far:22").is_some());
        assert!(docker_flag("unix:///x.sock").is_err());
        assert!(docker_flag("host=ssh://me@far/path").is_err());
        assert!(docker_flag("host=tcp://h:1,color=blue").is_err());
    }

    #[test]
    fn tls_files_are_read_and_a_missing_one_named() {
        let d = tempfile::tempdir().unwrap();
        let ca = d.path().join("ca.pem");
        std::fs::write(&ca, "CA").unwrap();
        let mut flag = DockerFlag {
            host: "tcp://h:2376".into(),
            ca: Some(ca.display().to_string()),
            ..Default::default()
        };
        let m = tls_material(&flag).ok();
        assert_eq!(m.and_then(|m| m.ca), Some(b"CA".to_vec()));
        flag.key = Some("/nonexistent/key.pem".into());
        let e = tls_material(&flag)
            .err()
            .map(|f| f.message)
            .unwrap_or_default();
        assert!(e.contains("/nonexistent/key.pem"), "{e}");
    }
}
