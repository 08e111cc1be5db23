//! `inspect`: containers first, then images, as Docker resolves a bare name; `--format`
//! renders each through a template.

use berth_engine::Engine;
use clap::Args;
use serde_json::Value;

use super::door::Door;
use super::output::render_one;
use super::{CliResult, Failure};
use crate::backend::ErrorKind;

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// Format output using a custom template
    #[arg(short = 'f', long)]
    format: Option<String>,
    /// Only inspect objects of the given type (container, image, volume)
    #[arg(long = "type")]
    kind: Option<String>,
    #[arg(required = true)]
    names: Vec<String>,
}

pub fn lookup(engine: &Engine, name: &str, kind: Option<&str>) -> Result<Value, Failure> {
    if kind.is_none() || kind == Some("container") {
        if let Ok(c) = engine.containers().find(name) {
            return Ok(c.inspect_json(&engine.paths));
        }
    }
    if kind.is_none() || kind == Some("image") {
        let door = Door::local(engine)?;
        if let Ok(img) = door.call(door.backend().image_inspect(name)) {
            return image_document(engine, name, img.id.as_deref().unwrap_or(name));
        }
    }
    if kind == Some("volume") {
        let door = Door::local(engine)?;
        door.call(door.backend().volume_inspect(name))
            .map_err(|e| match e.kind {
                ErrorKind::NotFound => Failure::from(format!(
                    "Error response from daemon: No such volume: {name}"
                )),
                _ => Failure::from(e),
            })?;
        return volume_document(engine, name);
    }
    Err(format!("Error: No such object: {name}").into())
}

// `image inspect` and `volume inspect` print the engine's own documents: Docker's
// models in the engine interface cannot carry all of what they print (an image's
// `Parent`, the container-config keys of its `Config` and the nulls among them; a
// volume's `Anonymous`). The object is found through the interface first, so what
// exists and how a miss is worded are the interface's; these only fetch the document.

/// The inspect document of the image the interface found as `id` (asked for as `name`).
pub fn image_document(engine: &Engine, name: &str, id: &str) -> Result<Value, Failure> {
    let images = engine.images();
    let img = images
        .resolve(id)
        .map_err(|_| Failure::from(format!("Error: No such image: {name}")))?;
    Ok(images.inspect_json(&img)?)
}

/// The inspect document of the volume the interface found as `name`.
pub fn volume_document(engine: &Engine, name: &str) -> Result<Value, Failure> {
    let v = engine.volumes().get(name)?;
    Ok(serde_json::to_value(v).unwrap_or(Value::Null))
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

pub fn run(engine: &Engine, a: InspectArgs) -> CliResult {
    inspect_each(&a.names, a.format.as_deref(), |n| {
        lookup(engine, n, a.kind.as_deref())
    })
}
