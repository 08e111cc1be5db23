//! Image operations of the local backend: listing with Docker's filters, inspect,
//! history, tag, remove and prune, in Docker's models and error kinds. Archives in and
//! out (save, load, import, commit) are in `image_transfer`.

use std::collections::{BTreeMap, HashMap, HashSet};

use berth_engine::image::reference::{familiar_match, Reference};
use berth_engine::image::{ImageRecord, RemoveAction};
use berth_engine::store::Digest;
use berth_engine::Engine;
use bollard::models as m;
use bollard::query_parameters as q;

use super::convert::from_json;
use super::filter_args::{rfc3339_nanos, FilterArgs};
use crate::backend::{BackendError, Result};

pub use super::image_transfer::{commit, import, load, save};

/// An image by tag, ID, short ID or digest, or Docker's 404.
pub fn resolve(e: &Engine, reference: &str) -> Result<ImageRecord> {
    e.images().resolve(reference).map_err(|err| {
        if err.is_not_found() {
            BackendError::not_found(format!("No such image: {reference}"))
        } else {
            err.into()
        }
    })
}

/// How many containers (running or not) use each image.
fn users(e: &Engine) -> Result<HashMap<Digest, i64>> {
    let mut n = HashMap::new();
    for c in e.containers().list()? {
        *n.entry(c.record.image_id).or_insert(0) += 1;
    }
    Ok(n)
}

/// An image's labels, from its config.
fn labels(e: &Engine, img: &ImageRecord) -> Result<BTreeMap<String, String>> {
    let cfg = e.images().config_json(img)?;
    Ok(cfg
        .pointer("/config/Labels")
        .and_then(|l| serde_json::from_value(l.clone()).ok())
        .unwrap_or_default())
}

/// A tag index key split as Docker shows it: `busybox:latest` -> (`busybox`, `latest`).
fn split_tag(key: &str) -> (&str, &str) {
    match key.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => (r, t),
        _ => (key, "latest"),
    }
}

/// The tags of an image that `reference=` filters let through (all with no such filter).
fn matching_tags(tags: &[String], references: &[String]) -> Vec<String> {
    tags.iter()
        .filter(|t| {
            let (repo, tag) = split_tag(t);
            references.is_empty() || references.iter().any(|p| familiar_match(p, repo, tag))
        })
        .cloned()
        .collect()
}

fn unix_secs(created: Option<&str>) -> i64 {
    rfc3339_nanos(created).map_or(0, |n| n.div_euclid(1_000_000_000))
}

/// `GET /images/json`. `count_users`: how many containers use each image, which Docker
/// works out only for `system df` (a list says -1: it reads no container records).
pub fn list(
    e: &Engine,
    opts: &q::ListImagesOptions,
    count_users: bool,
) -> Result<Vec<m::ImageSummary>> {
    let f = FilterArgs::parse(
        opts.filters.as_ref(),
        &[
            "dangling",
            "label",
            "label!",
            "reference",
            "before",
            "since",
            "until",
        ],
    )?;
    let dangling = f.boolean("dangling")?;
    let until = f.until(berth_engine::events::now_nanos())?;
    let created_of = |r: &String| resolve(e, r).map(|i| rfc3339_nanos(i.created.as_deref()));
    // Docker keeps images created strictly before every `before=` image and strictly
    // after every `since=` one (an unknown time counts as earliest).
    let before = f
        .values("before")
        .iter()
        .map(created_of)
        .collect::<Result<Vec<_>>>()?;
    let since = f
        .values("since")
        .iter()
        .map(created_of)
        .collect::<Result<Vec<_>>>()?;
    let references = f.values("reference");
    let all = e.images().list()?;
    let parents: HashSet<&Digest> = all.iter().filter_map(|i| i.parent.as_ref()).collect();
    let users = if count_users { Some(users(e)?) } else { None };
    let mut out = Vec::new();
    for img in &all {
        let t = rfc3339_nanos(img.created.as_deref());
        let in_time = before.iter().all(|b| t < *b)
            && since.iter().all(|s| t > *s)
            && until.is_none_or(|u| t.is_some_and(|t| t < u));
        if !in_time {
            continue;
        }
        let untagged = img.repo_tags.is_empty();
        if dangling.is_some_and(|d| d != untagged) {
            continue;
        }
        // An untagged image another one was made from is an intermediate layer of it.
        if untagged && !opts.all && parents.contains(&img.id) {
            continue;
        }
        let tags = matching_tags(&img.repo_tags, references);
        // An untagged image has no reference to match.
        if !references.is_empty() && tags.is_empty() {
            continue;
        }
        let labels = labels(e, img)?;
        if !f.labels(&labels) {
            continue;
        }
        out.push(m::ImageSummary {
            id: img.id.to_string(),
            parent_id: img
                .parent
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_default(),
            repo_tags: tags,
            repo_digests: e.images().repo_digests(&img.id).unwrap_or_default(),
            created: unix_secs(img.created.as_deref()),
            size: img.size as i64,
            shared_size: -1,
            labels: labels.into_iter().collect(),
            containers: users
                .as_ref()
                .map_or(-1, |u| u.get(&img.id).copied().unwrap_or(0)),
            manifests: None,
            descriptor: None,
        });
    }
    Ok(out)
}

pub fn inspect(e: &Engine, name: &str) -> Result<m::ImageInspect> {
    let img = resolve(e, name)?;
    from_json(e.images().inspect_json(&img)?)
}

/// Newest entry first; entries of layers no local image names show `<missing>`.
pub fn history(e: &Engine, name: &str) -> Result<Vec<m::ImageHistoryResponseItem>> {
    let img = resolve(e, name)?;
    let images = e.images();
    let hist = images.history(&img)?;
    Ok(hist
        .into_iter()
        .map(|h| {
            let tags = match &h.id {
                Some(id) if *id == img.id => img.repo_tags.clone(),
                Some(id) => images
                    .resolve(&id.to_string())
                    .map(|i| i.repo_tags)
                    .unwrap_or_default(),
                None => Vec::new(),
            };
            m::ImageHistoryResponseItem {
                id: h
                    .id
                    .map_or_else(|| "<missing>".to_string(), |d| d.to_string()),
                created: unix_secs(h.created.as_deref()),
                created_by: h.created_by,
                tags,
                size: h.size as i64,
                comment: h.comment,
            }
        })
        .collect())
}

/// `repo` and `tag` as one reference: a tag given apart replaces one written in `repo`.
pub fn target_reference(repo: &str, tag: &str) -> Result<String> {
    if repo.is_empty() {
        return Err(BackendError::invalid(
            "invalid reference format: repository name must have at least one component",
        ));
    }
    if tag.is_empty() {
        return Ok(repo.to_string());
    }
    let r = Reference::parse(repo)?;
    Ok(format!("{}:{tag}", r.name))
}

pub fn tag(e: &Engine, name: &str, repo: &str, tag: &str) -> Result<()> {
    let target = target_reference(repo, tag)?;
    resolve(e, name)?;
    Ok(e.images().tag(name, &target)?)
}

fn delete_items(actions: Vec<RemoveAction>) -> Vec<m::ImageDeleteResponseItem> {
    actions
        .into_iter()
        .map(|a| match a {
            RemoveAction::Untagged(t) => m::ImageDeleteResponseItem {
                untagged: Some(t),
                deleted: None,
            },
            RemoveAction::Deleted(d) => m::ImageDeleteResponseItem {
                untagged: None,
                deleted: Some(d.to_string()),
            },
        })
        .collect()
}

/// `no_prune` keeps untagged parents; berth never removes parents with an image, so
/// there is nothing for it to keep.
pub fn remove(
    e: &Engine,
    name: &str,
    force: bool,
    _no_prune: bool,
) -> Result<Vec<m::ImageDeleteResponseItem>> {
    resolve(e, name)?;
    let users: Vec<(Digest, String)> = e
        .containers()
        .list()?
        .into_iter()
        .map(|c| (c.record.image_id.clone(), c.short_id().to_string()))
        .collect();
    let user_of = |d: &Digest| users.iter().find(|(i, _)| i == d).map(|(_, c)| c.clone());
    let actions = e.images().remove_image(name, force, &user_of)?;
    Ok(delete_items(actions))
}

/// `dangling=false` prunes every unused image (`image prune -a`), else only untagged
/// ones; `until` and `label` narrow what goes.
pub fn prune(e: &Engine, opts: &q::PruneImagesOptions) -> Result<m::ImagePruneResponse> {
    let f = FilterArgs::parse(
        opts.filters.as_ref(),
        &["dangling", "until", "label", "label!"],
    )?;
    let all = f.boolean("dangling")? == Some(false);
    let until = f.until(berth_engine::events::now_nanos())?;
    let images = e.images();
    let used = users(e)?;
    // Images the filters keep out count as in use, so the prune leaves them.
    let mut kept = HashSet::new();
    if until.is_some() || f.has("label") || f.has("label!") {
        for img in images.list()? {
            let t = rfc3339_nanos(img.created.as_deref());
            let old_enough = until.is_none_or(|u| t.is_some_and(|t| t < u));
            if !old_enough || !f.labels(&labels(e, &img)?) {
                kept.insert(img.id);
            }
        }
    }
    let before = images.disk_usage()?.total();
    let actions = images.prune(all, &|d| used.contains_key(d) || kept.contains(d))?;
    let reclaimed = before.saturating_sub(images.disk_usage()?.total());
    Ok(m::ImagePruneResponse {
        images_deleted: Some(delete_items(actions)),
        space_reclaimed: Some(reclaimed as i64),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_split_at_the_last_colon_after_the_last_slash() {
        assert_eq!(split_tag("busybox:latest"), ("busybox", "latest"));
        assert_eq!(
            split_tag("localhost:5000/app:v1"),
            ("localhost:5000/app", "v1")
        );
        assert_eq!(
            split_tag("localhost:5000/app"),
            ("localhost:5000/app", "latest")
        );
    }

    #[test]
    fn reference_filters_keep_only_the_matching_tags() {
        let tags = vec!["busybox:latest".to_string(), "app:v1".to_string()];
        assert_eq!(matching_tags(&tags, &[]), tags);
        assert_eq!(
            matching_tags(&tags, &["busy*".to_string()]),
            vec!["busybox:latest".to_string()]
        );
        assert_eq!(
            matching_tags(&tags, &["app:v*".to_string(), "none".to_string()]),
            vec!["app:v1".to_string()]
        );
        assert!(matching_tags(&tags, &["*/*".to_string()]).is_empty());
    }

    #[test]
    fn a_tag_given_apart_replaces_the_one_in_the_repository() {
        assert_eq!(target_reference("app", "").unwrap(), "app");
        assert_eq!(target_reference("app:v1", "").unwrap(), "app:v1");
        assert_eq!(target_reference("app", "v2").unwrap(), "app:v2");
        assert_eq!(target_reference("app:v1", "v2").unwrap(), "app:v2");
        assert_eq!(
            target_reference("localhost:5000/app", "v2").unwrap(),
            "localhost:5000/app:v2"
        );
        assert!(target_reference("", "v1").is_err());
        assert!(target_reference("Bad Name", "v1").is_err());
    }

    #[test]
    fn creation_times_become_unix_seconds() {
        assert_eq!(unix_secs(Some("2024-01-01T00:00:00.9Z")), 1_704_067_200);
        assert_eq!(unix_secs(None), 0);
    }
}
