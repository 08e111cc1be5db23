//! `system prune`: the interface's prune operations in Docker's order (containers,
//! networks, volumes with `--volumes`, images), each section printed when it removed
//! something, then one `Total reclaimed space:` line, as Docker's CLI prints them.

use std::collections::HashMap;

use bollard::query_parameters as q;

use super::door::Door;
use super::CliResult;
use crate::format::human::human_size;

fn section(title: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    println!("{title}:");
    for i in items {
        println!("{i}");
    }
    println!();
}

pub fn run(door: &Door, all: bool, volumes: bool) -> CliResult {
    let b = door.backend();
    let mut reclaimed: i64 = 0;

    let c = door.call(b.container_prune(q::PruneContainersOptions { filters: None }))?;
    reclaimed += c.space_reclaimed.unwrap_or(0);
    section(
        "Deleted Containers",
        &c.containers_deleted.unwrap_or_default(),
    );

    let n = door.call(b.network_prune(q::PruneNetworksOptions { filters: None }))?;
    section("Deleted Networks", &n.networks_deleted.unwrap_or_default());

    // Berth's own housekeeping, which no Docker API call covers: bridges and veths left
    // behind by containers this root no longer has (a capability of the local engine).
    let links = door.call(b.prune_leftovers())?;
    section("Deleted Network Links", &links);

    if volumes {
        // Anonymous volumes only, as Docker 23+ prunes them.
        let v = door.call(b.volume_prune(q::PruneVolumesOptions { filters: None }))?;
        reclaimed += v.space_reclaimed.unwrap_or(0);
        section("Deleted Volumes", &v.volumes_deleted.unwrap_or_default());
    }

    // `-a`: every unused image, not only the untagged ones.
    let filters = all.then(|| HashMap::from([("dangling".to_string(), vec!["false".to_string()])]));
    let i = door.call(b.image_prune(q::PruneImagesOptions { filters }))?;
    reclaimed += i.space_reclaimed.unwrap_or(0);
    let images: Vec<String> = i
        .images_deleted
        .unwrap_or_default()
        .into_iter()
        .flat_map(|d| {
            let untagged = d.untagged.map(|t| format!("Untagged: {t}"));
            let deleted = d.deleted.map(|t| format!("Deleted: {t}"));
            untagged.into_iter().chain(deleted)
        })
        .collect();
    section("Deleted Images", &images);

    let cache = door.call(b.build_prune())?;
    reclaimed += cache.space_reclaimed.unwrap_or(0);
    section(
        "Deleted build cache objects",
        &cache.caches_deleted.unwrap_or_default(),
    );

    println!(
        "Total reclaimed space: {}",
        human_size(reclaimed.max(0) as u64)
    );
    Ok(0)
}
