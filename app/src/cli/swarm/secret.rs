//! `secret` and `config`: create (from a file or standard input), ls, inspect
//! (`--pretty` too) and rm, as the docker CLI has them. The two differ only in words
//! and in what inspect shows (a config's data is shown; a secret's never is, and the
//! engine never returns it).

use std::collections::HashMap;
use std::io::Read;

use base64::Engine as _;
use bollard::models as m;
use chrono::Utc;
use serde_json::{json, Value};

use super::service_flags::kv_map;
use crate::cli::door::{missing_object, Door};
use crate::cli::filters::Filters;
use crate::cli::inspect::inspect_each;
use crate::cli::output::print_rows;
use crate::cli::{CliResult, Failure};
use crate::format::human::human_duration;

#[derive(clap::Subcommand, Debug)]
pub enum ObjectCmd {
    /// Create an object from a file or STDIN as content
    Create {
        /// Labels
        #[arg(short = 'l', long = "label")]
        labels: Vec<String>,
        /// Template driver
        #[arg(long = "template-driver")]
        template_driver: Option<String>,
        name: String,
        /// The file to read (`-` for standard input)
        file: String,
    },
    /// List objects
    #[command(visible_alias = "list")]
    Ls {
        /// Filter output based on conditions provided (id=, label=, name=)
        #[arg(short = 'f', long = "filter")]
        filter: Vec<String>,
        /// Format output using a custom template
        #[arg(long)]
        format: Option<String>,
        /// Only display IDs
        #[arg(short = 'q', long)]
        quiet: bool,
    },
    /// Display detailed information on one or more objects
    Inspect {
        #[arg(short = 'f', long)]
        format: Option<String>,
        /// Print the information in a human friendly format
        #[arg(long)]
        pretty: bool,
        #[arg(required = true)]
        names: Vec<String>,
    },
    /// Remove one or more objects
    #[command(visible_alias = "remove")]
    Rm {
        #[arg(required = true)]
        names: Vec<String>,
    },
}

/// Which of the two kinds a command is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Secret,
    Config,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Secret => "secret",
            Kind::Config => "config",
        }
    }
}

fn read_data(file: &str) -> Result<Vec<u8>, Failure> {
    if file == "-" {
        let mut data = Vec::new();
        std::io::stdin()
            .read_to_end(&mut data)
            .map_err(|e| Failure::from(format!("error reading content from STDIN: {e}")))?;
        return Ok(data);
    }
    std::fs::read(file)
        .map_err(|e| Failure::from(format!("error reading content from {file:?}: {e}")))
}

/// The objects, as JSON documents (both kinds have Docker's same field names).
fn list(
    door: &Door,
    kind: Kind,
    filters: HashMap<String, Vec<String>>,
) -> Result<Vec<Value>, Failure> {
    let b = door.backend();
    let docs = match kind {
        Kind::Secret => door
            .call(b.secret_list(filters))?
            .iter()
            .map(serde_json::to_value)
            .collect::<Result<Vec<_>, _>>(),
        Kind::Config => door
            .call(b.config_list(filters))?
            .iter()
            .map(serde_json::to_value)
            .collect::<Result<Vec<_>, _>>(),
    };
    docs.map_err(|e| Failure::from(e.to_string()))
}

fn inspect_one(door: &Door, kind: Kind, name: &str) -> Result<Value, Failure> {
    let b = door.backend();
    let found = match kind {
        Kind::Secret => door
            .call(b.secret_inspect(name))
            .map(|s| serde_json::to_value(s).unwrap_or_default()),
        Kind::Config => door
            .call(b.config_inspect(name))
            .map(|c| serde_json::to_value(c).unwrap_or_default()),
    };
    found.map_err(|e| Failure::from(missing_object(kind.word(), name, &e)))
}

/// `10 seconds ago` from an RFC 3339 time.
fn ago(at: &Value) -> String {
    let Some(t) = at
        .as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
    else {
        return String::new();
    };
    let since = Utc::now() - t.with_timezone(&Utc);
    // Docker's secret and config tables keep the duration's capital (`Less than a
    // second ago`, `About a minute ago`), unlike its task tables.
    format!("{} ago", human_duration(since))
}

fn row(kind: Kind, d: &Value) -> Value {
    let spec = &d["Spec"];
    let mut r = json!({
        "ID": d["ID"],
        "Name": spec["Name"],
        "CreatedAt": ago(&d["CreatedAt"]),
        "UpdatedAt": ago(&d["UpdatedAt"]),
        "Labels": spec["Labels"],
    });
    if kind == Kind::Secret {
        // No driver is an empty column, not a missing value.
        r["Driver"] = Value::from(spec["Driver"]["Name"].as_str().unwrap_or_default());
    }
    r
}

/// Docker's `--pretty` view.
fn pretty(kind: Kind, d: &Value) -> String {
    let spec = &d["Spec"];
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let mut out = format!(
        "ID:              {}\nName:              {}\n",
        s(&d["ID"]),
        s(&spec["Name"])
    );
    if let Some(labels) = spec["Labels"].as_object().filter(|l| !l.is_empty()) {
        out.push_str("Labels:\n");
        for (k, v) in labels {
            match v.as_str().filter(|v| !v.is_empty()) {
                Some(v) => out.push_str(&format!(" - {k}={v}\n")),
                None => out.push_str(&format!(" - {k}\n")),
            }
        }
    }
    if kind == Kind::Secret {
        out.push_str(&format!(
            "Driver:            {}\n",
            s(&spec["Driver"]["Name"])
        ));
    }
    out.push_str(&format!(
        "Created at:        {}\nUpdated at:        {}\n",
        s(&d["CreatedAt"]),
        s(&d["UpdatedAt"])
    ));
    if kind == Kind::Config {
        let data = base64::engine::general_purpose::STANDARD
            .decode(s(&spec["Data"]))
            .unwrap_or_default();
        out.push_str(&format!("Data:\n{}\n", String::from_utf8_lossy(&data)));
    }
    out
}

pub fn run(door: &Door, kind: Kind, cmd: ObjectCmd) -> CliResult {
    let b = door.backend();
    match cmd {
        ObjectCmd::Create {
            labels,
            template_driver,
            name,
            file,
        } => {
            let data = base64::engine::general_purpose::STANDARD.encode(read_data(&file)?);
            let labels = Some(kv_map(&labels));
            let templating = template_driver.map(|t| m::Driver {
                name: t,
                options: None,
            });
            let id = match kind {
                Kind::Secret => door.call(b.secret_create(m::SecretSpec {
                    name: Some(name),
                    labels,
                    data: Some(data),
                    templating,
                    ..Default::default()
                }))?,
                Kind::Config => door.call(b.config_create(m::ConfigSpec {
                    name: Some(name),
                    labels,
                    data: Some(data),
                    templating,
                }))?,
            };
            println!("{id}");
            Ok(0)
        }
        ObjectCmd::Ls {
            filter,
            format,
            quiet,
        } => {
            let filters = Filters::parse(&filter, &["id", "label", "name"])?;
            let mut docs = list(door, kind, filters.query(&[]).unwrap_or_default())?;
            docs.sort_by(|a, b| a["Spec"]["Name"].as_str().cmp(&b["Spec"]["Name"].as_str()));
            let rows: Vec<Value> = docs.iter().map(|d| row(kind, d)).collect();
            let (table, headers): (&str, &[(&str, &str)]) = match kind {
                Kind::Secret => (
                    "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.CreatedAt}}\t{{.UpdatedAt}}",
                    &[
                        ("ID", "ID"),
                        ("Name", "NAME"),
                        ("Driver", "DRIVER"),
                        ("CreatedAt", "CREATED"),
                        ("UpdatedAt", "UPDATED"),
                    ],
                ),
                Kind::Config => (
                    "table {{.ID}}\t{{.Name}}\t{{.CreatedAt}}\t{{.UpdatedAt}}",
                    &[
                        ("ID", "ID"),
                        ("Name", "NAME"),
                        ("CreatedAt", "CREATED"),
                        ("UpdatedAt", "UPDATED"),
                    ],
                ),
            };
            let format = match (quiet, format) {
                (true, None) => Some("{{.ID}}".to_string()),
                (_, f) => f,
            };
            print_rows(&rows, headers, table, format.as_deref())?;
            Ok(0)
        }
        ObjectCmd::Inspect {
            format,
            pretty: want_pretty,
            names,
        } => {
            if want_pretty || format.as_deref() == Some("pretty") {
                let mut failed = false;
                for (i, n) in names.iter().enumerate() {
                    match inspect_one(door, kind, n) {
                        Ok(d) => {
                            if i > 0 {
                                println!();
                            }
                            print!("{}", pretty(kind, &d));
                        }
                        Err(e) => {
                            eprintln!("{}", e.message);
                            failed = true;
                        }
                    }
                }
                return Ok(u8::from(failed));
            }
            inspect_each(&names, format.as_deref(), |n| inspect_one(door, kind, n))
        }
        ObjectCmd::Rm { names } => {
            let mut failed = false;
            for n in &names {
                let done = match kind {
                    Kind::Secret => door.call(b.secret_remove(n)),
                    Kind::Config => door.call(b.config_remove(n)),
                };
                match done {
                    Ok(()) => println!("{n}"),
                    Err(e) => {
                        eprintln!("{}", missing_object(kind.word(), n, &e));
                        failed = true;
                    }
                }
            }
            Ok(u8::from(failed))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_views_show_a_configs_data_and_never_a_secrets() {
        let doc = json!({
            "ID": "abc", "CreatedAt": "2026-01-01T00:00:00Z", "UpdatedAt": "2026-01-01T00:00:00Z",
            "Spec": {"Name": "app_conf", "Labels": {"a": "1", "b": ""}, "Data": "aGVsbG8="},
        });
        let c = pretty(Kind::Config, &doc);
        assert_eq!(
            c,
            "ID:              abc\nName:              app_conf\nLabels:\n - a=1\n - b\n\
             Created at:        2026-01-01T00:00:00Z\nUpdated at:        2026-01-01T00:00:00Z\n\
             Data:\nhello\n"
        );
        let s = pretty(Kind::Secret, &doc);
        assert!(s.contains("Driver:            \n"), "{s}");
        assert!(!s.contains("hello"), "{s}");
    }
}
