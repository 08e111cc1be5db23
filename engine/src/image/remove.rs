//! `rmi` and `image prune` with Docker's rules, and the garbage collection behind them:
//! once an image record is gone, the blobs and unpacked layers no remaining image names
//! are deleted. An image a container uses is never deleted (its layers are the
//! container's lower dirs); forcing only untags it.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io;
use std::time::Duration;

use super::records::StoredImage;
use super::reference::repository_of;
use super::resolve::Lookup;
use super::{ImageStore, RemoveAction};
use crate::error::{Error, Result};
use crate::store::Digest;

/// Staging files this old are leftovers, not a load in progress.
const STALE_AFTER: Duration = Duration::from_secs(3600);
const STAGING_PREFIXES: [&str; 3] = ["layer-", "blob-", "archive-"];

fn short(s: &str) -> &str {
    &s[..s.len().min(12)]
}

impl ImageStore {
    /// `rmi REFERENCE`: untag, and delete the image once no tag and no container is left.
    pub fn remove(
        &self,
        reference: &str,
        force: bool,
        in_use: &dyn Fn(&Digest) -> bool,
    ) -> Result<Vec<RemoveAction>> {
        self.remove_image(reference, force, &|d| in_use(d).then(String::new))
    }

    /// As `remove`, with `user_of` giving the ID of a container using the image (for
    /// Docker's conflict message), or None.
    pub fn remove_image(
        &self,
        reference: &str,
        force: bool,
        user_of: &dyn Fn(&Digest) -> Option<String>,
    ) -> Result<Vec<RemoveAction>> {
        let actions = self.remove_unrecorded(reference, force, user_of)?;
        for a in &actions {
            let (action, id, name) = match a {
                RemoveAction::Untagged(t) => ("untag", t.clone(), t.clone()),
                RemoveAction::Deleted(d) => ("delete", d.to_string(), d.to_string()),
            };
            crate::events::object_event(&self.paths, "image", action, &id, &[("name", name)]);
        }
        Ok(actions)
    }

    fn remove_unrecorded(
        &self,
        reference: &str,
        force: bool,
        user_of: &dyn Fn(&Digest) -> Option<String>,
    ) -> Result<Vec<RemoveAction>> {
        let (img, how) = self.lookup(reference)?;
        // Asked before taking the lock, so the callback may take it itself.
        let user = user_of(&img.id);
        let who = |c: &str| {
            if c.is_empty() {
                "a container".to_string()
            } else {
                format!("container {}", short(c))
            }
        };

        let _lock = self.lock()?;
        let mut idx = self.tag_index()?;
        let tags = idx.tags_of(&img.id);
        let mut actions = Vec::new();
        match how {
            Lookup::Tag(key) => {
                let last = tags.len() <= 1;
                if last && !force {
                    if let Some(c) = &user {
                        return Err(Error::Conflict(format!(
                            "conflict: unable to remove repository reference {reference:?} (must force) - {} is using its referenced image {}",
                            who(c),
                            img.id.short()
                        )));
                    }
                }
                idx.tags.remove(&key);
                actions.push(RemoveAction::Untagged(key));
                if !last {
                    self.save_tags(&idx)?;
                    return Ok(actions);
                }
            }
            Lookup::Id => {
                let repos: BTreeSet<&str> = tags.iter().map(|t| repository_of(t)).collect();
                if repos.len() > 1 && !force {
                    return Err(Error::Conflict(format!(
                        "conflict: unable to delete {} (must be forced) - image is referenced in multiple repositories",
                        img.id.short()
                    )));
                }
                if let (Some(c), false) = (&user, force) {
                    return Err(Error::Conflict(format!(
                        "conflict: unable to delete {} (must be forced) - image is being used by {}",
                        img.id.short(),
                        who(c)
                    )));
                }
                for t in tags {
                    idx.tags.remove(&t);
                    actions.push(RemoveAction::Untagged(t));
                }
            }
        }
        self.save_tags(&idx)?;
        if user.is_none() {
            self.delete_locked(&img)?;
            actions.push(RemoveAction::Deleted(img.id.clone()));
        }
        Ok(actions)
    }

    /// `image prune`: delete dangling (untagged) images, or with `all` every image no
    /// container uses; then sweep blobs and layers no image names.
    pub fn prune(&self, all: bool, in_use: &dyn Fn(&Digest) -> bool) -> Result<Vec<RemoveAction>> {
        self.prune_matching(all, in_use, &|_| true)
    }

    /// `builder prune`'s share of the store: the untagged images build steps left
    /// (each has a parent), none a container uses.
    pub fn prune_intermediate(
        &self,
        in_use: &dyn Fn(&Digest) -> bool,
    ) -> Result<Vec<RemoveAction>> {
        self.prune_matching(false, in_use, &|s| s.parent.is_some())
    }

    fn prune_matching(
        &self,
        all: bool,
        in_use: &dyn Fn(&Digest) -> bool,
        chosen: &dyn Fn(&StoredImage) -> bool,
    ) -> Result<Vec<RemoveAction>> {
        let free: HashSet<Digest> = self
            .all_stored()?
            .into_iter()
            .filter(|s| chosen(s))
            .map(|s| s.id)
            .filter(|id| !in_use(id))
            .collect();
        let _lock = self.lock()?;
        let mut idx = self.tag_index()?;
        let mut actions = Vec::new();
        let mut deleted = Vec::new();
        // Images added since `free` was computed were never checked: they stay.
        for img in self
            .all_stored()?
            .into_iter()
            .filter(|s| free.contains(&s.id))
        {
            let tags = idx.tags_of(&img.id);
            if !tags.is_empty() && !all {
                continue;
            }
            for t in tags {
                idx.tags.remove(&t);
                actions.push(RemoveAction::Untagged(t));
            }
            deleted.push(img);
        }
        self.save_tags(&idx)?;
        for img in deleted {
            self.remove_stored(&img.id)?;
            actions.push(RemoveAction::Deleted(img.id));
        }
        self.sweep_locked()?;
        Ok(actions)
    }

    /// Delete an image record and whatever of its content no other image names. The
    /// caller holds the global lock.
    fn delete_locked(&self, img: &StoredImage) -> Result<()> {
        self.remove_stored(&img.id)?;
        let (blobs, layers) = referenced(&self.all_stored()?);
        let store = self.blobs();
        let mut mine = vec![img.id.clone(), img.manifest.clone()];
        mine.extend(img.layers.iter().map(|l| l.info.blob.clone()));
        for d in mine.iter().filter(|d| !blobs.contains(*d)) {
            store.remove(d)?;
        }
        for l in img
            .layers
            .iter()
            .filter(|l| !layers.contains(&l.info.diff_id))
        {
            remove_dir(&self.layer_path(&l.info.diff_id))?;
        }
        Ok(())
    }

    /// Delete every blob and unpacked layer no image names (content left behind by an
    /// interrupted load, or by images removed by older versions). The caller holds the
    /// global lock; everything the image store adds is added under it.
    fn sweep_locked(&self) -> Result<()> {
        let (blobs, layers) = referenced(&self.all_stored()?);
        let store = self.blobs();
        for name in dir_names(&self.paths.blobs_dir())? {
            if let Ok(d) = name.parse::<Digest>() {
                if !blobs.contains(&d) {
                    store.remove(&d)?;
                }
            }
        }
        for name in dir_names(&self.paths.layers_dir())? {
            if let Ok(d) = name.parse::<Digest>() {
                if !layers.contains(&d) {
                    remove_dir(&self.layer_path(&d))?;
                }
            }
        }
        self.sweep_tmp(STALE_AFTER)
    }

    /// Remove staging leftovers (`layer-*`, `blob-*`, `archive-*` in `tmp/`) older than
    /// `age`: what a crash in the middle of an unpack or a load leaves behind. Younger
    /// ones may belong to a load still running in another process.
    fn sweep_tmp(&self, age: Duration) -> Result<()> {
        let tmp = self.paths.tmp_dir();
        for name in dir_names(&tmp)? {
            if !STAGING_PREFIXES.iter().any(|p| name.starts_with(p)) {
                continue;
            }
            let p = tmp.join(&name);
            let old = fs::symlink_metadata(&p)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|e| e > age);
            if old {
                let _ = if p.is_dir() {
                    fs::remove_dir_all(&p)
                } else {
                    fs::remove_file(&p)
                };
            }
        }
        Ok(())
    }
}

/// Blobs and diff IDs that `images` name.
fn referenced(images: &[StoredImage]) -> (HashSet<Digest>, HashSet<Digest>) {
    let mut blobs = HashSet::new();
    let mut layers = HashSet::new();
    for i in images {
        blobs.insert(i.id.clone());
        blobs.insert(i.manifest.clone());
        for l in &i.layers {
            blobs.insert(l.info.blob.clone());
            layers.insert(l.info.diff_id.clone());
        }
    }
    (blobs, layers)
}

fn dir_names(dir: &std::path::Path) -> Result<Vec<String>> {
    match fs::read_dir(dir) {
        Ok(rd) => Ok(rd
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(Error::io("read directory", dir, e)),
    }
}

fn remove_dir(p: &std::path::Path) -> Result<()> {
    match fs::remove_dir_all(p) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(Error::io("remove layer", p, e)),
        _ => Ok(()),
    }
}
