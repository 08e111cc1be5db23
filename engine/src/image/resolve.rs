//! Finding images: listing, resolving what a user typed (a tag, a full or short ID, a
//! digest), and tagging. Resolution follows Docker: a 64-hex ID or `sha256:` ID first,
//! then `name[:tag]`, then `name@digest`, then a unique ID prefix.

use super::records::StoredImage;
use super::reference::{id_prefix, repository_of, Reference};
use super::{ImageRecord, ImageStore};
use crate::error::{Error, Result};
use crate::store::Digest;

/// How a reference matched: through a tag (the `name:tag` key) or through the image ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Lookup {
    Tag(String),
    Id,
}

impl ImageStore {
    /// Every image, newest first.
    pub fn list(&self) -> Result<Vec<ImageRecord>> {
        let idx = self.tag_index()?;
        let mut out: Vec<ImageRecord> = self
            .all_stored()?
            .iter()
            .map(|s| s.to_record(idx.tags_of(&s.id)))
            .collect();
        out.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.id.cmp(&b.id)));
        Ok(out)
    }

    /// `name[:tag]`, `name@sha256:...`, a full or short ID, or `sha256:...`.
    pub fn resolve(&self, reference: &str) -> Result<ImageRecord> {
        let (img, _) = self.lookup(reference)?;
        let tags = self.tag_index()?.tags_of(&img.id);
        Ok(img.to_record(tags))
    }

    pub(super) fn lookup(&self, reference: &str) -> Result<(StoredImage, Lookup)> {
        let not_found = || Error::not_found("image", reference);
        if let Ok(id) = reference.parse::<Digest>() {
            if self.has_image(&id) {
                return Ok((self.read_stored(&id)?, Lookup::Id));
            }
        }
        let parsed = Reference::parse(reference);
        if let Ok(r) = &parsed {
            let idx = self.tag_index()?;
            if let Some(d) = &r.digest {
                return self
                    .by_digest(&r.name, d, &idx)
                    .map(|img| (img, Lookup::Id))
                    .ok_or_else(not_found);
            }
            if let Some(id) = idx.tags.get(&r.key()) {
                return Ok((self.read_stored(id)?, Lookup::Tag(r.key())));
            }
            // Podman names local images `localhost/NAME`; let `NAME` find them, as it does.
            let local = format!("localhost/{}", r.key());
            if !r.key().starts_with("localhost/") {
                if let Some(id) = idx.tags.get(&local) {
                    return Ok((self.read_stored(id)?, Lookup::Tag(local)));
                }
            }
        }
        if let Some(prefix) = id_prefix(reference) {
            let mut hits: Vec<StoredImage> = self
                .all_stored()?
                .into_iter()
                .filter(|s| s.id.hex().starts_with(prefix))
                .collect();
            match hits.len() {
                0 => {}
                1 => return Ok((hits.remove(0), Lookup::Id)),
                n => {
                    return Err(Error::invalid(format!(
                        "ambiguous image ID prefix {reference:?}: it matches {n} images, give more digits"
                    )))
                }
            }
        }
        match parsed {
            Err(e) if id_prefix(reference).is_none() => Err(e),
            _ => Err(not_found()),
        }
    }

    /// `name@digest`: the digest is the image's manifest digest (what a registry calls
    /// it) or its ID, and the name must be one of the image's repositories.
    fn by_digest(
        &self,
        name: &str,
        d: &Digest,
        idx: &super::tags::TagIndex,
    ) -> Option<StoredImage> {
        let img = self.all_stored().ok()?.into_iter().find(|s| {
            &s.manifest == d
                || &s.id == d
                || s.repo_digests.iter().any(|r| r.ends_with(&format!("@{d}")))
        })?;
        let tags = idx.tags_of(&img.id);
        let named = tags.is_empty() || tags.iter().any(|t| repository_of(t) == name);
        named.then_some(img)
    }

    /// Point `target` at the image `source` resolves to, moving the tag if it pointed
    /// elsewhere.
    pub fn tag(&self, source: &str, target: &str) -> Result<()> {
        let (img, _) = self.lookup(source)?;
        let r = Reference::parse(target)?;
        if r.digest.is_some() {
            return Err(Error::invalid(format!(
                "refusing to create a tag with a digest reference: {target:?}"
            )));
        }
        let _lock = self.lock()?;
        if !self.has_image(&img.id) {
            return Err(Error::not_found("image", source));
        }
        let mut idx = self.tag_index()?;
        idx.tags.insert(r.key(), img.id.clone());
        self.save_tags(&idx)?;
        crate::events::object_event(
            &self.paths,
            "image",
            "tag",
            &img.id.to_string(),
            &[("name", r.key())],
        );
        Ok(())
    }
}
