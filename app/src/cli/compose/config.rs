//! `compose config`: the project as Compose understands it (merged, interpolated,
//! normalized), in YAML or JSON, or one list of its names.

use std::io::Write;

use super::args::{ComposeArgs, ConfigArgs};
use super::project;
use crate::cli::{CliResult, Failure};

pub fn run(a: &ComposeArgs, c: ConfigArgs) -> CliResult {
    let loaded = project(a, &c.services_filter)?;
    let mut p = loaded.project;
    if !c.services_filter.is_empty() {
        p.services
            .retain(|name, _| c.services_filter.contains(name));
    }
    if c.quiet {
        return Ok(0);
    }
    let text = if c.services {
        lines(p.services.keys())
    } else if c.volumes {
        lines(p.volumes.keys())
    } else if c.networks {
        lines(p.networks.keys())
    } else if c.profiles {
        lines(p.profiles())
    } else if c.images {
        let name = p.name().to_string();
        lines(
            p.services
                .iter()
                .map(|(s, svc)| svc.image_or_default(&name, s)),
        )
    } else {
        match c.format.as_str() {
            "json" => serde_json::to_string_pretty(&p)
                .map(|s| s + "\n")
                .map_err(|e| Failure::from(format!("cannot print the project: {e}")))?,
            "yaml" => serde_saphyr::to_string(&p)
                .map_err(|e| Failure::from(format!("cannot print the project: {e}")))?,
            other => {
                return Err(Failure::usage(format!(
                    "unsupported format {other:?}: use \"yaml\" or \"json\""
                )))
            }
        }
        // Interpolation is done: a `$` left is literal, and is written `$$` so that the
        // output loads again as the same project (Compose v2 does the same).
        .replace('$', "$$")
    };
    match &c.output {
        Some(path) => std::fs::write(path, &text)
            .map_err(|e| Failure::from(format!("cannot write {}: {e}", path.display())))?,
        None => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
        }
    }
    Ok(0)
}

fn lines<T: std::fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    items.into_iter().map(|i| format!("{i}\n")).collect()
}
