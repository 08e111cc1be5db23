//! `berth import`: a rootfs tarball (plain or gzip, told apart by magic bytes) becomes a
//! one-layer image. The layer blob is stored uncompressed so its digest is its diff ID:
//! importing the same content twice shares one blob and one unpacked layer.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use serde_json::json;

use super::compress::{decoder, detect, looks_like_tar, peek};
use super::config::{self, DEFAULT_PATH};
use super::manifest::MT_LAYER_TAR;
use super::records::StoredLayer;
use super::reference::Reference;
use super::register::{NewImage, PendingBlob};
use super::staging::StagedBlob;
use super::{ImageRecord, ImageStore, LayerInfo};
use crate::error::{Error, IoContext, Result};

impl ImageStore {
    pub fn import(&self, src: &Path, reference: Option<&str>) -> Result<ImageRecord> {
        self.import_with(src, reference, &super::ConfigChanges::default())
    }

    /// `import --change`: the same, with Dockerfile-style config changes applied.
    pub fn import_with(
        &self,
        src: &Path,
        reference: Option<&str>,
        changes: &super::ConfigChanges,
    ) -> Result<ImageRecord> {
        let f = File::open(src).ctx("open", src)?;
        let what = src.display().to_string();
        self.import_from(f, &what, reference, changes, None)
    }

    /// Import a rootfs tar read from `src` (an upload; `what` names it in errors).
    /// `message`, when given, is the image's comment instead of `Imported from -`.
    pub fn import_from(
        &self,
        src: impl Read,
        what: &str,
        reference: Option<&str>,
        changes: &super::ConfigChanges,
        message: Option<&str>,
    ) -> Result<ImageRecord> {
        let img = self.import_unrecorded(src, what, reference, changes, message)?;
        let name = img.repo_tags.first().cloned().unwrap_or_default();
        crate::events::object_event(
            &self.paths,
            "image",
            "import",
            &img.id.to_string(),
            &[("name", name)],
        );
        Ok(img)
    }

    fn import_unrecorded(
        &self,
        src: impl Read,
        what: &str,
        reference: Option<&str>,
        changes: &super::ConfigChanges,
        message: Option<&str>,
    ) -> Result<ImageRecord> {
        let tags = tag_keys(reference)?;
        let _staging = crate::store::scratch::hold(&self.paths)?;
        let blob = self.stage_tar(src, what)?;
        let diff_id = blob.digest.clone();
        let (size, staged) = match blob.path() {
            Some(p) => self.stage_layer(File::open(p).ctx("open", p)?, &diff_id, what)?,
            None => (0, None),
        };
        let created = config::now();
        let mut cfg = config::empty(&created, &[DEFAULT_PATH]);
        changes.apply(&mut cfg);
        let comment = message.unwrap_or("Imported from -");
        if let (Some(m), Some(root)) = (message, cfg.as_object_mut()) {
            root.insert("comment".into(), json!(m));
        }
        config::push_layer(
            &mut cfg,
            &diff_id,
            json!({ "created": created, "comment": comment }),
        );
        let layer = StoredLayer {
            info: LayerInfo {
                diff_id: diff_id.clone(),
                blob: diff_id,
                media_type: MT_LAYER_TAR.into(),
                size: blob.size,
            },
            unpacked_size: size,
        };
        let config = serde_json::to_vec(&cfg)
            .map_err(|e| Error::Runtime(format!("serialising config: {e}")))?;
        let img = NewImage {
            config,
            manifest: None,
            layers: vec![layer],
            parent: None,
            tags,
        };
        self.register(
            img,
            vec![PendingBlob::Staged(blob)],
            staged.into_iter().collect(),
        )
    }

    /// Copy a tar (plain or gzip) into `tmp/` uncompressed, hashing it. Anything that is
    /// not a tar is refused; `what` names it in errors.
    fn stage_tar(&self, src: impl Read, what: &str) -> Result<StagedBlob> {
        let (head, stream) = peek(src, 512).ctx("read", what)?;
        let comp = detect(&head).map_err(|e| Error::invalid(format!("{what}: {e}")))?;
        let stream = decoder(comp, stream).ctx("read", what)?;
        let (block, stream) = peek(stream, 512).ctx("read", what)?;
        if !looks_like_tar(&block) {
            return Err(Error::invalid(format!(
                "{what}: not a tar archive (nor a gzip-compressed one)"
            )));
        }
        StagedBlob::write(&self.paths.tmp_dir(), stream)
    }
}

/// The tag index key for an optional `name[:tag]` (a digest cannot be a tag).
pub(super) fn tag_keys(reference: Option<&str>) -> Result<Vec<String>> {
    let Some(r) = reference else {
        return Ok(Vec::new());
    };
    let parsed = Reference::parse(r)?;
    if parsed.digest.is_some() {
        return Err(Error::invalid(format!(
            "refusing to create a tag with a digest reference: {r:?}"
        )));
    }
    Ok(vec![parsed.key()])
}
