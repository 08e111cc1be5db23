//! The tag index, `images/repositories.json`: a map from `name:tag` to image ID. It is one
//! file replaced atomically under the global lock, so moving a tag from one image to
//! another is a single step that readers see entirely or not at all.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ImageStore;
use crate::error::Result;
use crate::store::{read_json, write_json_atomic, Digest};

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TagIndex {
    pub tags: BTreeMap<String, Digest>,
}

impl TagIndex {
    /// The tags pointing at `id`, sorted.
    pub fn tags_of(&self, id: &Digest) -> Vec<String> {
        self.tags
            .iter()
            .filter(|(_, v)| *v == id)
            .map(|(k, _)| k.clone())
            .collect()
    }
}

impl ImageStore {
    /// Read the tag index; a root without one has no tags. Reads take no lock: the file
    /// is only ever replaced whole.
    pub(super) fn tag_index(&self) -> Result<TagIndex> {
        let p = self.paths.repositories_file();
        if !p.exists() {
            return Ok(TagIndex::default());
        }
        read_json(&p)
    }

    /// Replace the tag index. The caller holds the global lock.
    pub(super) fn save_tags(&self, idx: &TagIndex) -> Result<()> {
        write_json_atomic(&self.paths.repositories_file(), idx)
    }
}
