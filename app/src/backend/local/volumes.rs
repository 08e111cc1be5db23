//! Volume operations of the local backend: list with Docker's filters and usage, inspect,
//! create, remove and prune, in Docker's models and error kinds.

use std::collections::{BTreeMap, HashMap};

use berth_engine::volume::Volume;
use berth_engine::Engine;
use bollard::models as m;
use bollard::query_parameters as q;

use super::filter_args::FilterArgs;
use crate::backend::{BackendError, Result};

/// Options Docker's `local` driver knows (berth's volumes are plain directories, so
/// none of them can be honoured yet).
const LOCAL_DRIVER_OPTS: [&str; 4] = ["type", "device", "o", "size"];

/// Docker's 404 for a volume.
fn not_found(name: &str) -> BackendError {
    BackendError::not_found(format!("get {name}: no such volume"))
}

fn get(e: &Engine, name: &str) -> Result<Volume> {
    e.volumes().get(name).map_err(|err| {
        if err.is_not_found() {
            not_found(name)
        } else {
            err.into()
        }
    })
}

/// How many containers (running or not) mount each volume.
fn ref_counts(e: &Engine) -> Result<HashMap<String, i64>> {
    let mut n = HashMap::new();
    for c in e.containers().list()? {
        for mnt in c.record.mounts.iter().filter(|m| m.kind == "volume") {
            *n.entry(mnt.name.clone()).or_insert(0) += 1;
        }
    }
    Ok(n)
}

fn model(v: Volume, usage: Option<m::VolumeUsageData>) -> m::Volume {
    m::Volume {
        name: v.name,
        driver: v.driver,
        mountpoint: v.mountpoint,
        created_at: Some(v.created_at),
        status: None,
        labels: v.labels.into_iter().collect(),
        scope: Some(if v.scope == "global" {
            m::VolumeScopeEnum::GLOBAL
        } else {
            m::VolumeScopeEnum::LOCAL
        }),
        cluster_volume: None,
        options: v.options.into_iter().collect(),
        usage_data: usage,
    }
}

/// Every volume the filters keep. `usage`: with its size and how many containers use it,
/// which Docker works out only for `system df` (sizes walk every volume's files).
pub fn list(
    e: &Engine,
    opts: &q::ListVolumesOptions,
    usage: bool,
) -> Result<m::VolumeListResponse> {
    let f = FilterArgs::parse(
        opts.filters.as_ref(),
        &["dangling", "name", "label", "driver"],
    )?;
    let dangling = f.boolean("dangling")?;
    // Container records are read only when something needs the counts.
    let refs = if usage || dangling.is_some() {
        ref_counts(e)?
    } else {
        HashMap::new()
    };
    let vs = e.volumes();
    let mut out = Vec::new();
    for v in vs.list()? {
        let ref_count = refs.get(&v.name).copied().unwrap_or(0);
        let keep = dangling.is_none_or(|d| d == (ref_count == 0))
            && f.any("name", |n| v.name.contains(n))
            && f.any("driver", |d| v.driver == d)
            && f.labels(&v.labels);
        if keep {
            let data = usage.then(|| m::VolumeUsageData {
                size: vs.size(&v.name) as i64,
                ref_count,
            });
            out.push(model(v, data));
        }
    }
    Ok(m::VolumeListResponse {
        volumes: Some(out),
        warnings: Some(Vec::new()),
    })
}

pub fn inspect(e: &Engine, name: &str) -> Result<m::Volume> {
    Ok(model(get(e, name)?, None))
}

/// What a create request asks of the driver that berth cannot give.
fn check_driver(req: &m::VolumeCreateRequest) -> Result<()> {
    match req.driver.as_deref().unwrap_or_default() {
        "" | "local" => {}
        d => {
            return Err(BackendError::not_found(format!(
                "error looking up volume plugin {d}: plugin \"{d}\" not found"
            )))
        }
    }
    let opts = req.driver_opts.as_ref();
    if let Some(k) = opts
        .into_iter()
        .flatten()
        .map(|(k, _)| k)
        .find(|k| !LOCAL_DRIVER_OPTS.contains(&k.as_str()))
    {
        return Err(BackendError::invalid(format!("invalid option key: {k:?}")));
    }
    if opts.is_some_and(|o| !o.is_empty()) {
        return Err(BackendError::unsupported(
            "volume driver options (type, device, o, size) are not supported by berth",
        ));
    }
    Ok(())
}

/// A volume without a name gets a random one and is anonymous (as Docker 23+ makes it),
/// so `prune` without `all` takes it. An existing name answers the existing volume.
pub fn create(e: &Engine, req: m::VolumeCreateRequest) -> Result<m::Volume> {
    check_driver(&req)?;
    let name = req.name.filter(|n| !n.is_empty());
    let labels: BTreeMap<String, String> = req.labels.unwrap_or_default().into_iter().collect();
    let anonymous = name.is_none();
    let v = e.volumes().create(name.as_deref(), labels, anonymous)?;
    Ok(model(v, None))
}

/// A volume in use is Docker's conflict, forced or not; `force` only makes a missing
/// volume no error.
pub fn remove(e: &Engine, name: &str, force: bool) -> Result<()> {
    match get(e, name) {
        Ok(_) => {}
        Err(err) if force && err.is_not_found() => return Ok(()),
        Err(err) => return Err(err),
    }
    let users = e.volume_users(name)?;
    match e.volumes().remove(name, &users) {
        Err(err) if err.is_not_found() => {
            if force {
                Ok(())
            } else {
                Err(not_found(name))
            }
        }
        r => Ok(r?),
    }
}

/// Unused anonymous volumes go, or with `all=true` every unused one (Docker 23+).
pub fn prune(e: &Engine, opts: &q::PruneVolumesOptions) -> Result<m::VolumePruneResponse> {
    let f = FilterArgs::parse(opts.filters.as_ref(), &["label", "label!", "all"])?;
    let all = f.boolean("all")?.unwrap_or(false);
    let refs = ref_counts(e)?;
    let vs = e.volumes();
    let mut deleted = Vec::new();
    let mut reclaimed = 0u64;
    for v in vs.list()? {
        let candidate = (all || v.anonymous)
            && !refs.contains_key(&v.name)
            && f.labels(&v.labels)
            // Checked again: a container may have started using it since the count.
            && e.volume_users(&v.name)?.is_empty();
        if !candidate {
            continue;
        }
        let size = vs.size(&v.name);
        if vs.remove(&v.name, &[]).is_ok() {
            reclaimed += size;
            deleted.push(v.name);
        }
    }
    Ok(m::VolumePruneResponse {
        volumes_deleted: Some(deleted),
        space_reclaimed: Some(reclaimed as i64),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(driver: Option<&str>, opts: &[(&str, &str)]) -> m::VolumeCreateRequest {
        m::VolumeCreateRequest {
            driver: driver.map(str::to_string),
            driver_opts: (!opts.is_empty()).then(|| {
                opts.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn only_the_local_driver_without_options_is_taken() {
        assert!(check_driver(&req(None, &[])).is_ok());
        assert!(check_driver(&req(Some("local"), &[])).is_ok());
        let e = check_driver(&req(Some("nfs"), &[])).unwrap_err();
        assert_eq!(e.kind, crate::backend::ErrorKind::NotFound);
        assert_eq!(
            e.message,
            "error looking up volume plugin nfs: plugin \"nfs\" not found"
        );
        let e = check_driver(&req(None, &[("colour", "red")])).unwrap_err();
        assert_eq!(e.message, "invalid option key: \"colour\"");
        let e = check_driver(&req(None, &[("type", "tmpfs")])).unwrap_err();
        assert_eq!(e.kind, crate::backend::ErrorKind::Unsupported);
    }

    #[test]
    fn volumes_answer_in_dockers_model() {
        let v = Volume {
            created_at: "2024-01-01T00:00:00Z".into(),
            driver: "local".into(),
            labels: [("a".to_string(), "b".to_string())].into_iter().collect(),
            mountpoint: "/r/volumes/v/_data".into(),
            name: "v".into(),
            options: BTreeMap::new(),
            scope: "local".into(),
            anonymous: false,
        };
        let mv = model(v, None);
        assert_eq!(mv.scope, Some(m::VolumeScopeEnum::LOCAL));
        assert_eq!(mv.labels.get("a").map(String::as_str), Some("b"));
        assert_eq!(mv.created_at.as_deref(), Some("2024-01-01T00:00:00Z"));
        assert!(mv.usage_data.is_none());
    }
}
