//! `inspect`: any object by name through the engine interface. Without `--type` a name is
//! tried as a container, an image, a network, then a volume, in Docker's order; `--format`
//! renders each through a template.

use bollard::models as m;
use clap::Args;
use serde_json::Value;

use super::door::{missing_object, Door};
use super::output::render_one;
use super::{container_doc, object_docs, CliResult, Failure};
use crate::backend::{BackendError, ErrorKind};

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// Format output using a custom template
    #[arg(short = 'f', long)]
    format: Option<String>,
    /// Display total file sizes if the type is container
    #[arg(short = 's', long)]
    size: bool,
    /// Only inspect objects of the given type (container, image, network, volume)
    #[arg(long = "type")]
    kind: Option<String>,
    #[arg(required = true)]
    names: Vec<String>,
}

/// The object kinds `inspect` looks through, in Docker's order.
const KINDS: &[&str] = &["container", "image", "network", "volume"];

/// One object's document; a miss is `NotFound` so the next kind can be tried.
fn find(door: &Door, kind: &str, name: &str, size: bool) -> Result<Value, BackendError> {
    let b = door.backend();
    let doc = match kind {
        "container" => container_document(&door.call(b.container_inspect(name, size))?),
        "image" => image_document(&door.call(b.image_inspect(name))?),
        "network" => super::network::document(&door.call(b.network_inspect(name))?),
        "volume" => volume_document(&door.call(b.volume_inspect(name))?),
        _ => return Err(BackendError::not_found(format!("No such object: {name}"))),
    };
    doc.map_err(|f| BackendError::internal(f.message))
}

/// `berth inspect NAME`: the first kind that has it. A miss everywhere is Docker's
/// `No such object` (a volume asked for by `--type` keeps the daemon's wording, as Berth
/// has always said it); any other error is the daemon's answer.
pub fn lookup(door: &Door, name: &str, kind: Option<&str>, size: bool) -> Result<Value, Failure> {
    for k in KINDS.iter().filter(|k| kind.is_none_or(|want| want == **k)) {
        match find(door, k, name, size) {
            Ok(v) => return Ok(v),
            Err(e) if e.kind == ErrorKind::NotFound => {
                if kind == Some("volume") {
                    return Err(
                        format!("Error response from daemon: No such volume: {name}").into(),
                    );
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(format!("Error: No such object: {name}").into())
}

pub fn container_document(c: &m::ContainerInspectResponse) -> Result<Value, Failure> {
    Ok(container_doc::document(c)?)
}

pub fn image_document(img: &m::ImageInspect) -> Result<Value, Failure> {
    Ok(object_docs::image(img)?)
}

pub fn volume_document(vol: &m::Volume) -> Result<Value, Failure> {
    Ok(object_docs::volume(vol)?)
}

/// `container inspect`: containers only, a miss worded as Docker's client words it.
pub fn containers(door: &Door, names: &[String], format: Option<&str>, size: bool) -> CliResult {
    inspect_each(names, format, |n| {
        let c = door
            .call(door.backend().container_inspect(n, size))
            .map_err(|e| Failure::from(missing_object("container", n, &e)))?;
        container_document(&c)
    })
}

pub fn print_values(values: Vec<Value>, format: Option<&str>) -> Result<(), Failure> {
    match format {
        Some(f) => {
            for v in &values {
                println!("{}", render_one(v, f)?);
            }
        }
        None => println!(
            "{}",
            serde_json::to_string_pretty(&Value::Array(values)).unwrap_or_default()
        ),
    }
    Ok(())
}

/// The inspect loop every object kind shares: look each name up, print what was found
/// (JSON array or one `--format` line each), report each miss on stderr, and exit 1 if
/// any name was missing.
pub fn inspect_each(
    names: &[String],
    format: Option<&str>,
    lookup: impl Fn(&str) -> Result<Value, Failure>,
) -> CliResult {
    let mut values = Vec::new();
    let mut failed = false;
    for n in names {
        match lookup(n) {
            Ok(v) => values.push(v),
            Err(e) => {
                eprintln!("{}", e.message);
                failed = true;
            }
        }
    }
    if !values.is_empty() || format.is_none() {
        print_values(values, format)?;
    }
    Ok(u8::from(failed))
}

pub fn run(door: &Door, a: InspectArgs) -> CliResult {
    inspect_each(&a.names, a.format.as_deref(), |n| {
        lookup(door, n, a.kind.as_deref(), a.size)
    })
}
