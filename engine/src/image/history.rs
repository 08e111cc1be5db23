//! `berth history`: the config's history entries, newest first, each non-empty one
//! matched to its layer for a size. Like Docker, only images known locally get an ID
//! (this image at the top, and the ancestors `berth commit` recorded); the rest show as
//! `<missing>` (None).

use super::{HistoryEntry, ImageRecord, ImageStore};
use crate::error::Result;
use crate::store::Digest;

const MAX_ANCESTORS: usize = 128;

/// One layer of an image as the anatomy view shows it: the overlay lower dir, the step
/// that made it (`created_by` of its history entry) and its unpacked size.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct LayerStep {
    pub dir: String,
    pub created_by: String,
    pub size: u64,
}

impl ImageStore {
    /// `img`'s layers, top-most first (the order overlayfs takes lower dirs in).
    pub fn layer_steps(&self, img: &ImageRecord) -> Result<Vec<LayerStep>> {
        let cfg = self.config_json(img)?;
        let made_by: Vec<String> = cfg["history"]
            .as_array()
            .map(|h| {
                h.iter()
                    .filter(|e| !e["empty_layer"].as_bool().unwrap_or(false))
                    .map(|e| e["created_by"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default();
        let stored = self.read_stored(&img.id)?;
        let mut out: Vec<LayerStep> = stored
            .layers
            .iter()
            .enumerate()
            .map(|(i, l)| LayerStep {
                dir: self.layer_path(&l.info.diff_id).display().to_string(),
                created_by: made_by.get(i).cloned().unwrap_or_default(),
                size: l.unpacked_size,
            })
            .collect();
        out.reverse();
        Ok(out)
    }

    pub fn history(&self, img: &ImageRecord) -> Result<Vec<HistoryEntry>> {
        let cfg = self.config_json(img)?;
        let sizes: Vec<u64> = self
            .read_stored(&img.id)?
            .layers
            .iter()
            .map(|l| l.unpacked_size)
            .collect();
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
        let mut out = Vec::new();
        match cfg["history"].as_array().filter(|h| !h.is_empty()) {
            Some(hist) => {
                let mut layer = 0;
                for h in hist {
                    let size = if h["empty_layer"].as_bool().unwrap_or(false) {
                        0
                    } else {
                        layer += 1;
                        sizes.get(layer - 1).copied().unwrap_or(0)
                    };
                    out.push(HistoryEntry {
                        id: None,
                        created: h["created"].as_str().map(str::to_string),
                        created_by: text(&h["created_by"]),
                        size,
                        comment: text(&h["comment"]),
                    });
                }
            }
            // No history recorded: one line per layer.
            None => {
                for size in &sizes {
                    out.push(HistoryEntry {
                        id: None,
                        created: cfg["created"].as_str().map(str::to_string),
                        created_by: String::new(),
                        size: *size,
                        comment: String::new(),
                    });
                }
            }
        }
        if let Some(top) = out.last_mut() {
            top.id = Some(img.id.clone());
        }
        self.mark_ancestors(img.parent.clone(), &mut out);
        out.reverse();
        Ok(out)
    }

    /// Give the entry where each known ancestor's own history ends that ancestor's ID.
    fn mark_ancestors(&self, mut parent: Option<Digest>, out: &mut [HistoryEntry]) {
        for _ in 0..MAX_ANCESTORS {
            let Some(pid) = parent else { return };
            let Ok(p) = self.read_stored(&pid) else {
                return;
            };
            let rec = p.to_record(Vec::new());
            let Ok(cfg) = self.config_json(&rec) else {
                return;
            };
            let n = cfg["history"].as_array().map_or(0, Vec::len);
            if n > 0 && n <= out.len() && out[n - 1].id.is_none() {
                out[n - 1].id = Some(pid.clone());
            }
            parent = p.parent;
        }
    }
}
