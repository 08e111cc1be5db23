//! Image commands: images, import, load, save, tag, rmi, history, image inspect/prune.
//! Each builds Docker's query, calls the engine interface through the door and prints
//! the models it answers with; archives in and out are in `image_archive`.

use std::collections::HashMap;
use std::path::PathBuf;

use bollard::models as m;
use bollard::query_parameters as q;
use chrono::{DateTime, SecondsFormat, Utc};
use clap::{Args, Subcommand};
use serde_json::{json, Value};

use super::door::{missing_object, Door};
use super::filters::Filters;
use super::image_archive;
use super::inspect::{image_document, inspect_each};
use super::output::print_rows;
use super::{CliResult, Failure};
use crate::format::human::{human_duration, human_size_with_precision};
use crate::format::table::{IMAGES_DEFAULT, IMAGES_HEADERS};

/// `docker images` prints sizes with three significant digits.
pub(super) fn image_size(b: i64) -> String {
    human_size_with_precision(b.max(0) as f64, 3)
}

#[derive(Args, Debug)]
pub struct ImagesArgs {
    /// Show all images (default hides intermediate images)
    #[arg(short = 'a', long)]
    all: bool,
    /// Only show image IDs
    #[arg(short = 'q', long)]
    quiet: bool,
    /// Format output using a custom template
    #[arg(long)]
    format: Option<String>,
    /// Don't truncate output
    #[arg(long = "no-trunc")]
    no_trunc: bool,
    /// Show digests
    #[arg(long)]
    digests: bool,
    /// Filter output (dangling=true|false, reference=PATTERN, before=IMAGE, since=IMAGE, label=KEY[=VALUE])
    #[arg(short = 'f', long = "filter")]
    filter: Vec<String>,
    /// Repository to list
    repository: Option<String>,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Apply Dockerfile instruction to the created image (CMD, ENTRYPOINT, ENV, WORKDIR, USER, EXPOSE, LABEL, VOLUME, STOPSIGNAL)
    #[arg(short = 'c', long = "change")]
    pub(super) change: Vec<String>,
    /// Rootfs tarball (.tar or .tar.gz)
    pub(super) file: PathBuf,
    /// Repository name and tag for the image
    pub(super) reference: Option<String>,
}

#[derive(Args, Debug)]
pub struct LoadArgs {
    /// Read from tar archive file, instead of STDIN
    #[arg(short = 'i', long)]
    pub(super) input: Option<PathBuf>,
    /// Suppress the load output
    #[arg(short = 'q', long)]
    pub(super) quiet: bool,
}

#[derive(Args, Debug)]
pub struct SaveArgs {
    /// Write to a file, instead of STDOUT
    #[arg(short = 'o', long)]
    pub(super) output: Option<PathBuf>,
    /// Archive format: docker-archive (docker save layout with an OCI index) or oci-archive
    #[arg(long, default_value = "docker-archive")]
    pub(super) format: String,
    #[arg(required = true)]
    pub(super) images: Vec<String>,
}

#[derive(Args, Debug)]
pub struct TagArgs {
    source: String,
    target: String,
}

#[derive(Args, Debug)]
pub struct RmiArgs {
    /// Force removal of the image
    #[arg(short = 'f', long)]
    force: bool,
    #[arg(required = true)]
    images: Vec<String>,
}

#[derive(Args, Debug)]
pub struct HistoryArgs {
    /// Print sizes and dates in human readable format
    #[arg(short = 'H', long, default_value_t = true)]
    human: bool,
    /// Only show image IDs
    #[arg(short = 'q', long)]
    quiet: bool,
    /// Don't truncate output
    #[arg(long = "no-trunc")]
    no_trunc: bool,
    /// Format output using a custom template
    #[arg(long)]
    format: Option<String>,
    image: String,
}

#[derive(Args, Debug)]
pub struct PruneArgs {
    /// Remove all unused images, not just dangling ones
    #[arg(short = 'a', long)]
    all: bool,
    /// Do not prompt for confirmation
    #[arg(short = 'f', long)]
    force: bool,
}

#[derive(Subcommand, Debug)]
pub enum ImageTopCmd {
    /// List images
    Images(ImagesArgs),
    /// Import the contents from a tarball to create a filesystem image
    Import(ImportArgs),
    /// Load an image from a tar archive or STDIN
    Load(LoadArgs),
    /// Save one or more images to a tar archive (streamed to STDOUT by default)
    Save(SaveArgs),
    /// Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE
    Tag(TagArgs),
    /// Remove one or more images
    Rmi(RmiArgs),
    /// Show the history of an image
    History(HistoryArgs),
}

#[derive(Subcommand, Debug)]
pub enum ImageCmd {
    /// Build an image from a Dockerfile
    Build(super::build::BuildArgs),
    /// Download an image from a registry
    Pull(super::registry::PullArgs),
    /// Upload an image to a registry
    Push(super::registry::PushArgs),
    /// List images
    #[command(visible_alias = "list")]
    Ls(ImagesArgs),
    Import(ImportArgs),
    Load(LoadArgs),
    Save(SaveArgs),
    Tag(TagArgs),
    /// Remove one or more images
    #[command(visible_alias = "remove")]
    Rm(RmiArgs),
    History(HistoryArgs),
    /// Display detailed information on one or more images
    Inspect {
        #[arg(short = 'f', long)]
        format: Option<String>,
        #[arg(required = true)]
        images: Vec<String>,
    },
    /// Remove unused images
    Prune(PruneArgs),
}

pub fn run_top(door: &Door, cmd: ImageTopCmd) -> CliResult {
    run(
        door,
        match cmd {
            ImageTopCmd::Images(a) => ImageCmd::Ls(a),
            ImageTopCmd::Import(a) => ImageCmd::Import(a),
            ImageTopCmd::Load(a) => ImageCmd::Load(a),
            ImageTopCmd::Save(a) => ImageCmd::Save(a),
            ImageTopCmd::Tag(a) => ImageCmd::Tag(a),
            ImageTopCmd::Rmi(a) => ImageCmd::Rm(a),
            ImageTopCmd::History(a) => ImageCmd::History(a),
        },
    )
}

/// When an image (or a step of its history) was made, from the interface's Unix
/// seconds; 0 (or less) is unknown.
fn created(secs: i64) -> Option<DateTime<Utc>> {
    (secs > 0)
        .then(|| DateTime::from_timestamp(secs, 0))
        .flatten()
}

fn ago(secs: i64) -> String {
    created(secs)
        .map(|t| format!("{} ago", human_duration(Utc::now() - t)))
        .unwrap_or_else(|| "N/A".into())
}

/// Docker prints an image's creation time as Go's `time.Time.String()` in local time;
/// berth says UTC.
fn created_at(secs: i64) -> String {
    created(secs)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S +0000 UTC").to_string())
        .unwrap_or_default()
}

/// An image ID as the lists show it: 12 hex digits, or all of it with `--no-trunc`.
fn shown_id(id: &str, no_trunc: bool) -> String {
    if no_trunc {
        return id.to_string();
    }
    let hex = id.strip_prefix("sha256:").unwrap_or(id);
    hex.get(..12).unwrap_or(hex).to_string()
}

/// A tag as `docker images` splits it: `busybox:latest` -> (`busybox`, `latest`).
fn repo_and_tag(t: &str) -> (String, String) {
    match t.rsplit_once(':') {
        Some((r, tag)) if !tag.contains('/') => (r.to_string(), tag.to_string()),
        _ => (t.to_string(), "latest".into()),
    }
}

fn print_removals(items: &[m::ImageDeleteResponseItem]) {
    for i in items {
        if let Some(t) = &i.untagged {
            println!("Untagged: {t}");
        }
        if let Some(d) = &i.deleted {
            println!("Deleted: {d}");
        }
    }
}

pub fn run(door: &Door, cmd: ImageCmd) -> CliResult {
    let b = door.backend();
    match cmd {
        ImageCmd::Build(a) => super::build::run(door, a),
        ImageCmd::Pull(a) => super::registry::pull(door, a),
        ImageCmd::Push(a) => super::registry::push(door, a),
        ImageCmd::Ls(a) => list(door, a),
        ImageCmd::Import(a) => image_archive::import(door, a),
        ImageCmd::Load(a) => image_archive::load(door, a),
        ImageCmd::Save(a) => image_archive::save(door, a),
        ImageCmd::Tag(a) => {
            // The target whole as the repository: the interface splits off its tag.
            door.call(b.image_tag(&a.source, &a.target, ""))?;
            Ok(0)
        }
        ImageCmd::Rm(a) => {
            let mut failed = false;
            for r in &a.images {
                match door.call(b.image_remove(r, a.force, false)) {
                    Ok(items) => print_removals(&items),
                    Err(e) => {
                        eprintln!("{}", Failure::from(e).message);
                        failed = true;
                    }
                }
            }
            Ok(u8::from(failed))
        }
        ImageCmd::History(a) => history(door, a),
        ImageCmd::Inspect {
            format,
            images: names,
        } => inspect_each(&names, format.as_deref(), |n| {
            let found = door
                .call(b.image_inspect(n))
                .map_err(|e| Failure::from(missing_object("image", n, &e)))?;
            image_document(&found)
        }),
        ImageCmd::Prune(a) => {
            // Docker's `prune -a`: every unused image, not only the untagged ones.
            let filters = a
                .all
                .then(|| HashMap::from([("dangling".to_string(), vec!["false".to_string()])]));
            let pruned = door.call(b.image_prune(q::PruneImagesOptions { filters }))?;
            let deleted = pruned.images_deleted.unwrap_or_default();
            if !deleted.is_empty() {
                println!("Deleted Images:");
                print_removals(&deleted);
                println!();
            }
            println!(
                "Total reclaimed space: {}",
                image_size(pruned.space_reclaimed.unwrap_or(0))
            );
            Ok(0)
        }
    }
}

fn list(door: &Door, a: ImagesArgs) -> CliResult {
    let filters = Filters::parse(
        &a.filter,
        &["dangling", "reference", "before", "since", "label"],
    )?;
    let dangling = filters.boolean("dangling")?;
    // `docker images REPOSITORY` is one more reference filter.
    let extra: Vec<(&str, String)> = a
        .repository
        .iter()
        .map(|r| ("reference", r.clone()))
        .collect();
    let opts = q::ListImagesOptions {
        all: a.all,
        filters: filters.with_boolean("dangling", dangling).query(&extra),
        ..Default::default()
    };
    let list = door.call(door.backend().image_list(opts))?;
    // One row per tag, and one <none> row for an untagged image.
    let mut rows = Vec::new();
    for img in &list {
        let tags: Vec<(String, String)> = if img.repo_tags.is_empty() {
            vec![("<none>".into(), "<none>".into())]
        } else {
            img.repo_tags.iter().map(|t| repo_and_tag(t)).collect()
        };
        for (repo, tag) in tags {
            // The registry's digest of this repository's manifest, when it came from one.
            let digest = img
                .repo_digests
                .iter()
                .find_map(|d| {
                    d.split_once('@')
                        .filter(|(r, _)| *r == repo)
                        .map(|(_, d)| d)
                })
                .unwrap_or("<none>")
                .to_string();
            rows.push(json!({
                "Repository": repo, "Tag": tag, "ID": shown_id(&img.id, a.no_trunc),
                "Digest": digest, "CreatedSince": ago(img.created),
                "CreatedAt": created_at(img.created),
                "Size": image_size(img.size), "VirtualSize": image_size(img.size),
                // Docker knows these only from `system df -v`.
                "Containers": "N/A", "SharedSize": "N/A", "UniqueSize": "N/A",
            }));
        }
    }
    if a.quiet {
        let mut seen = std::collections::HashSet::new();
        for r in &rows {
            let id = r["ID"].as_str().unwrap_or_default().to_string();
            if seen.insert(id.clone()) {
                println!("{id}");
            }
        }
        return Ok(0);
    }
    let default = if a.digests {
        "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
    } else {
        IMAGES_DEFAULT
    };
    print_rows(&rows, IMAGES_HEADERS, default, a.format.as_deref())?;
    Ok(0)
}

/// A step's ID: the image's, or `<missing>` for a layer no local image names.
fn step_id(id: &str, no_trunc: bool) -> String {
    if id == "<missing>" {
        return id.to_string();
    }
    shown_id(id, no_trunc)
}

fn history(door: &Door, a: HistoryArgs) -> CliResult {
    let hist = door.call(door.backend().image_history(&a.image))?;
    if a.quiet {
        for h in &hist {
            println!("{}", step_id(&h.id, false));
        }
        return Ok(0);
    }
    let rows: Vec<Value> = hist
        .iter()
        .map(|h| {
            let mut by = h.created_by.clone();
            if !a.no_trunc && by.chars().count() > 45 {
                by = by.chars().take(44).collect::<String>() + "…";
            }
            // Docker's RFC 3339 in whole seconds.
            let at = created(h.created).map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true));
            json!({
                "ID": step_id(&h.id, a.no_trunc),
                "CreatedSince": ago(h.created), "CreatedAt": at, "CreatedBy": by,
                "Size": image_size(h.size), "Comment": h.comment,
            })
        })
        .collect();
    let headers = [
        ("ID", "IMAGE"),
        ("CreatedSince", "CREATED"),
        ("CreatedBy", "CREATED BY"),
        ("Size", "SIZE"),
        ("Comment", "COMMENT"),
    ];
    let default = "table {{.ID}}	{{.CreatedSince}}	{{.CreatedBy}}	{{.Size}}	{{.Comment}}";
    print_rows(&rows, &headers, default, a.format.as_deref())?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_show_twelve_hex_digits_unless_untruncated() {
        let id = format!("sha256:{}", "ab".repeat(32));
        assert_eq!(shown_id(&id, false), "abababababab");
        assert_eq!(shown_id(&id, true), id);
        assert_eq!(step_id("<missing>", false), "<missing>");
        assert_eq!(shown_id("short", false), "short");
    }

    #[test]
    fn tags_split_as_docker_images_shows_them() {
        let split = |t: &str| repo_and_tag(t);
        assert_eq!(split("busybox:latest"), ("busybox".into(), "latest".into()));
        assert_eq!(
            split("localhost:5000/app"),
            ("localhost:5000/app".into(), "latest".into())
        );
    }

    #[test]
    fn unknown_creation_times_read_n_a() {
        assert_eq!(ago(0), "N/A");
        assert_eq!(created_at(0), "");
        assert_eq!(created_at(1_704_067_200), "2024-01-01 00:00:00 +0000 UTC");
    }
}
