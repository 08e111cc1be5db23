//! `inspect` of an image and of a volume, printed from the interface's models as
//! Docker's daemon prints them (Go's field order, `null` for what Go prints as `null`).
//! What Docker's current models no longer carry (an image's `Parent` and the
//! container-config keys of its `Config`) is not printed.

use bollard::models as m;
use serde_json::Value;

use super::go_json::Inner::{Map as GoMap, Plain, Struct};
use super::go_json::{always, omit_empty, shape, Field};

const IMAGE: &[Field] = &[
    always("Id", Plain),
    always("RepoTags", Plain),
    always("RepoDigests", Plain),
    always("Comment", Plain),
    always("Created", Plain),
    always("Author", Plain),
    always("Config", Struct(IMAGE_CONFIG)),
    always("Architecture", Plain),
    omit_empty("Variant", Plain),
    always("Os", Plain),
    omit_empty("OsVersion", Plain),
    always("Size", Plain),
    omit_empty("GraphDriver", Plain),
    always("RootFS", Plain),
    always("Metadata", Plain),
    omit_empty("Descriptor", Plain),
    omit_empty("Manifests", Plain),
    omit_empty("Identity", Plain),
];

const IMAGE_CONFIG: &[Field] = &[
    always("User", Plain),
    omit_empty("ExposedPorts", GoMap),
    always("Env", Plain),
    always("Cmd", Plain),
    omit_empty("Healthcheck", Plain),
    omit_empty("ArgsEscaped", Plain),
    always("Volumes", GoMap),
    always("WorkingDir", Plain),
    always("Entrypoint", Plain),
    always("OnBuild", Plain),
    always("Labels", GoMap),
    omit_empty("StopSignal", Plain),
    omit_empty("Shell", Plain),
];

const VOLUME: &[Field] = &[
    omit_empty("CreatedAt", Plain),
    always("Driver", Plain),
    always("Labels", GoMap),
    always("Mountpoint", Plain),
    always("Name", Plain),
    always("Options", GoMap),
    always("Scope", Plain),
    omit_empty("ClusterVolume", Plain),
    omit_empty("Status", GoMap),
    omit_empty("UsageData", Plain),
];

pub fn image(img: &m::ImageInspect) -> Result<Value, String> {
    let v = serde_json::to_value(img).map_err(|e| format!("image inspect: {e}"))?;
    Ok(shape(&v, IMAGE))
}

pub fn volume(vol: &m::Volume) -> Result<Value, String> {
    let v = serde_json::to_value(vol).map_err(|e| format!("volume inspect: {e}"))?;
    Ok(shape(&v, VOLUME))
}
