//! OCI manifests berth writes for images that arrived without one (imports, commits,
//! `docker save` archives), and the media types it uses.

use oci_spec::image::{DescriptorBuilder, ImageManifestBuilder, MediaType};

use super::LayerInfo;
use crate::error::{Error, Result};
use crate::store::Digest;

pub const MT_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const MT_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const MT_LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
pub const MT_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
pub const MT_DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const MT_DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";

fn oci_digest(d: &Digest) -> Result<oci_spec::image::Digest> {
    d.to_string()
        .parse()
        .map_err(|e| Error::Runtime(format!("digest {d}: {e}")))
}

fn spec_err(e: oci_spec::OciSpecError) -> Error {
    Error::Runtime(format!("building OCI manifest: {e}"))
}

/// The manifest for a config blob and its layers.
pub fn build(config: &[u8], layers: &[LayerInfo]) -> Result<Vec<u8>> {
    let config_desc = DescriptorBuilder::default()
        .media_type(MediaType::ImageConfig)
        .digest(oci_digest(&Digest::of(config))?)
        .size(config.len() as u64)
        .build()
        .map_err(spec_err)?;
    let mut layer_descs = Vec::new();
    for l in layers {
        layer_descs.push(
            DescriptorBuilder::default()
                .media_type(MediaType::from(l.media_type.as_str()))
                .digest(oci_digest(&l.blob)?)
                .size(l.size)
                .build()
                .map_err(spec_err)?,
        );
    }
    let m = ImageManifestBuilder::default()
        .schema_version(2u32)
        .media_type(MediaType::ImageManifest)
        .config(config_desc)
        .layers(layer_descs)
        .build()
        .map_err(spec_err)?;
    serde_json::to_vec(&m).map_err(|e| Error::Runtime(format!("serialising manifest: {e}")))
}

/// The media type a manifest names for itself (OCI when it says nothing).
pub fn media_type_of(manifest: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(manifest)
        .ok()
        .and_then(|v| v["mediaType"].as_str().map(str::to_string))
        .unwrap_or_else(|| MT_MANIFEST.to_string())
}
