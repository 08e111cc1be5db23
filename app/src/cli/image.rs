//! Image commands: images, import, load, save, tag, rmi, history, image inspect/prune.

use std::path::PathBuf;

use berth_engine::image::reference::familiar_match;
use berth_engine::image::{ArchiveFormat, RemoveAction};
use berth_engine::Engine;
use clap::{Args, Subcommand};
use serde_json::{json, Value};

use super::filters::Filters;
use super::inspect::inspect_each;
use super::output::print_rows;
use super::{CliResult, Failure};
use crate::format::human::{human_duration, human_size_with_precision};
use crate::format::table::{IMAGES_DEFAULT, IMAGES_HEADERS};

/// `docker images` prints sizes with three significant digits.
fn image_size(b: u64) -> String {
    human_size_with_precision(b as f64, 3)
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
    change: Vec<String>,
    /// Rootfs tarball (.tar or .tar.gz)
    file: PathBuf,
    /// Repository name and tag for the image
    reference: Option<String>,
}

#[derive(Args, Debug)]
pub struct LoadArgs {
    /// Read from tar archive file, instead of STDIN
    #[arg(short = 'i', long)]
    input: Option<PathBuf>,
    /// Suppress the load output
    #[arg(short = 'q', long)]
    quiet: bool,
}

#[derive(Args, Debug)]
pub struct SaveArgs {
    /// Write to a file, instead of STDOUT
    #[arg(short = 'o', long)]
    output: Option<PathBuf>,
    /// Archive format: docker-archive (docker save layout with an OCI index) or oci-archive
    #[arg(long, default_value = "docker-archive")]
    format: String,
    #[arg(required = true)]
    images: Vec<String>,
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

impl PruneArgs {
    pub fn for_system(all: bool) -> Self {
        PruneArgs { all, force: true }
    }
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

pub fn run_top(engine: &Engine, cmd: ImageTopCmd) -> CliResult {
    run(
        engine,
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

fn ago(created: &Option<String>) -> String {
    created
        .as_deref()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| {
            format!(
                "{} ago",
                human_duration(chrono::Utc::now() - t.with_timezone(&chrono::Utc))
            )
        })
        .unwrap_or_else(|| "N/A".into())
}

/// Orders two RFC 3339 creation times; an unknown time sorts first.
fn time_order(a: &Option<String>, b: &Option<String>) -> std::cmp::Ordering {
    let t = |s: &Option<String>| {
        s.as_deref()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
    };
    t(a).cmp(&t(b))
}

/// Docker prints an image's creation time as Go's `time.Time.String()` in local time;
/// berth says UTC.
fn created_at(rfc3339: &Option<String>) -> String {
    rfc3339
        .as_deref()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .format("%Y-%m-%d %H:%M:%S +0000 UTC")
                .to_string()
        })
        .unwrap_or_default()
}

/// A container uses this image: it may not be deleted without force.
fn in_use(engine: &Engine) -> Result<impl Fn(&berth_engine::store::Digest) -> bool, Failure> {
    let used: Vec<_> = engine
        .containers()
        .list()?
        .into_iter()
        .map(|c| c.record.image_id)
        .collect();
    Ok(move |d: &berth_engine::store::Digest| used.contains(d))
}

fn print_removals(actions: &[RemoveAction]) {
    for a in actions {
        match a {
            RemoveAction::Untagged(t) => println!("Untagged: {t}"),
            RemoveAction::Deleted(d) => println!("Deleted: {d}"),
        }
    }
}

pub fn run(engine: &Engine, cmd: ImageCmd) -> CliResult {
    let images = engine.images();
    match cmd {
        ImageCmd::Ls(a) => {
            let filters = Filters::parse(
                &a.filter,
                &["dangling", "reference", "before", "since", "label"],
            )?;
            let dangling = filters.boolean("dangling")?;
            let created = |name: &str| -> Result<Option<String>, Failure> {
                match images.resolve(name) {
                    Ok(img) => Ok(img.created),
                    Err(_) => {
                        Err(format!("Error response from daemon: No such image: {name}").into())
                    }
                }
            };
            // Docker keeps images created strictly before every `before=` and strictly
            // after every `since=` image.
            let mut before = Vec::new();
            for b in filters.values("before") {
                before.push(created(b)?);
            }
            let mut since = Vec::new();
            for s in filters.values("since") {
                since.push(created(s)?);
            }
            let mut references: Vec<String> = filters.values("reference").to_vec();
            references.extend(a.repository.clone());
            let mut list = images.list()?;
            list.retain(|i| {
                dangling.is_none_or(|d| i.repo_tags.is_empty() == d)
                    && before.iter().all(|b| time_order(&i.created, b).is_lt())
                    && since.iter().all(|s| time_order(&i.created, s).is_gt())
            });
            if !filters.values("label").is_empty() {
                let mut kept = Vec::new();
                for img in list {
                    let cfg = images.config_json(&img)?;
                    let labels: std::collections::BTreeMap<String, String> = cfg
                        .pointer("/config/Labels")
                        .and_then(|l| serde_json::from_value(l.clone()).ok())
                        .unwrap_or_default();
                    if filters.all_labels(&labels) {
                        kept.push(img);
                    }
                }
                list = kept;
            }
            // One row per tag, and one <none> row for an untagged image.
            let mut rows = Vec::new();
            for img in &list {
                let tags: Vec<(String, String)> = if img.repo_tags.is_empty() {
                    vec![("<none>".into(), "<none>".into())]
                } else {
                    img.repo_tags
                        .iter()
                        .map(|t| match t.rsplit_once(':') {
                            Some((r, tag)) if !tag.contains('/') => {
                                (r.to_string(), tag.to_string())
                            }
                            _ => (t.clone(), "latest".into()),
                        })
                        .collect()
                };
                for (repo, tag) in tags {
                    // An untagged image has no reference to match.
                    if !references.is_empty()
                        && (img.repo_tags.is_empty()
                            || !references.iter().any(|r| familiar_match(r, &repo, &tag)))
                    {
                        continue;
                    }
                    let id = if a.no_trunc {
                        img.id.to_string()
                    } else {
                        img.id.short().to_string()
                    };
                    rows.push(json!({
                        "Repository": repo, "Tag": tag, "ID": id, "Digest": "<none>",
                        "CreatedSince": ago(&img.created), "CreatedAt": created_at(&img.created),
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
            print_rows(&rows, IMAGES_HEADERS, IMAGES_DEFAULT, a.format.as_deref())?;
            Ok(0)
        }
        ImageCmd::Import(a) => {
            let mut changes = berth_engine::image::ConfigChanges::default();
            berth_engine::container::commit_changes::parse_changes(&a.change, &mut changes)?;
            let img = images.import_with(&a.file, a.reference.as_deref(), &changes)?;

            println!("{}", img.id);
            Ok(0)
        }
        ImageCmd::Load(a) => {
            let loaded = match &a.input {
                Some(p) => {
                    let mut f =
                        std::fs::File::open(p).map_err(|e| format!("open {}: {e}", p.display()))?;
                    images.load(&mut f)?
                }
                None => images.load(&mut std::io::stdin().lock())?,
            };
            if !a.quiet {
                for l in loaded {
                    println!("Loaded image: {l}");
                }
            }
            Ok(0)
        }
        ImageCmd::Save(a) => {
            let fmt = match a.format.as_str() {
                "docker-archive" | "docker" => ArchiveFormat::Docker,
                "oci-archive" | "oci" => ArchiveFormat::Oci,
                f => {
                    return Err(format!(
                        "invalid value {f:?} for --format: use docker-archive or oci-archive"
                    )
                    .into())
                }
            };
            match &a.output {
                Some(p) => {
                    let tmp = p.with_extension("berth-partial");
                    let mut f = std::fs::File::create(&tmp)
                        .map_err(|e| format!("create {}: {e}", tmp.display()))?;
                    let res = images.save(&a.images, &mut f, fmt);
                    if let Err(e) = res {
                        let _ = std::fs::remove_file(&tmp);
                        return Err(e.into());
                    }
                    std::fs::rename(&tmp, p)
                        .map_err(|e| format!("rename to {}: {e}", p.display()))?;
                }
                None => {
                    if nix::unistd::isatty(1).unwrap_or(false) {
                        return Err(
                            "cowardly refusing to save to a terminal. Use the -o flag or redirect"
                                .into(),
                        );
                    }
                    images.save(&a.images, &mut std::io::stdout().lock(), fmt)?;
                }
            }
            Ok(0)
        }
        ImageCmd::Tag(a) => {
            images.tag(&a.source, &a.target)?;
            Ok(0)
        }
        ImageCmd::Rm(a) => {
            let users: Vec<(berth_engine::store::Digest, String)> = engine
                .containers()
                .list()?
                .into_iter()
                .map(|c| (c.record.image_id.clone(), c.short_id().to_string()))
                .collect();
            let user_of = |d: &berth_engine::store::Digest| {
                users.iter().find(|(i, _)| i == d).map(|(_, c)| c.clone())
            };
            let mut failed = false;
            for r in &a.images {
                match images.remove_image(r, a.force, &user_of) {
                    Ok(actions) => print_removals(&actions),
                    Err(e) => {
                        eprintln!("Error response from daemon: {e}");
                        failed = true;
                    }
                }
            }
            Ok(u8::from(failed))
        }
        ImageCmd::History(a) => {
            let img = images.resolve(&a.image)?;
            let hist = images.history(&img)?;
            if a.quiet {
                for h in &hist {
                    println!(
                        "{}",
                        h.id.as_ref()
                            .map(|d| d.short().to_string())
                            .unwrap_or("<missing>".into())
                    );
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
                    json!({
                        "ID": h.id.as_ref().map(|d| if a.no_trunc { d.to_string() } else { d.short().to_string() }).unwrap_or("<missing>".into()),
                        "CreatedSince": ago(&h.created), "CreatedAt": h.created, "CreatedBy": by,
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
        ImageCmd::Inspect {
            format,
            images: names,
        } => inspect_each(&names, format.as_deref(), |n| match images.resolve(n) {
            Ok(img) => Ok(images.inspect_json(&img)?),
            Err(_) => Err(format!("Error: No such image: {n}").into()),
        }),
        ImageCmd::Prune(a) => {
            let used = in_use(engine)?;
            let before = images.disk_usage()?.total();
            let actions = images.prune(a.all, &used)?;
            let reclaimed = before.saturating_sub(images.disk_usage()?.total());
            if !actions.is_empty() {
                println!("Deleted Images:");
                print_removals(&actions);
                println!();
            }
            println!("Total reclaimed space: {}", image_size(reclaimed));

            Ok(0)
        }
    }
}
