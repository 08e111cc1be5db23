//! Parsing the mount flags of run/create: `-v`, `--mount`, `--tmpfs`, into mount points.
//! Errors name the flag and the value at fault.

use std::collections::BTreeMap;
use std::path::Path;

use super::model::MountPoint;
use crate::error::{Error, Result};
use crate::volume::tmpfs;

fn is_path(s: &str) -> bool {
    s.starts_with('/') || s.starts_with('.') || s.starts_with('~')
}

fn check_dest(flag: &str, spec: &str, dest: &str) -> Result<()> {
    if !dest.starts_with('/') {
        return Err(Error::invalid(format!(
            "invalid {flag} {spec:?}: the container path {dest:?} must be absolute"
        )));
    }
    if dest == "/" {
        return Err(Error::invalid(format!(
            "invalid {flag} {spec:?}: the destination cannot be \"/\""
        )));
    }
    Ok(())
}

/// `-v NAME:/dst[:ro]`, `-v /host:/dst[:ro|rw]`, `-v /dst` (anonymous volume).
pub fn parse_volume_flag(spec: &str) -> Result<MountPoint> {
    let parts: Vec<&str> = spec.split(':').collect();
    let (src, dst, mode) = match parts.as_slice() {
        [dst] => ("", *dst, ""),
        [src, dst] => (*src, *dst, ""),
        [src, dst, mode] => (*src, *dst, *mode),
        _ => {
            return Err(Error::invalid(format!(
                "invalid volume specification: {spec:?}"
            )))
        }
    };
    check_dest("--volume", spec, dst)?;
    let mut rw = true;
    for opt in mode.split(',').filter(|o| !o.is_empty()) {
        match opt {
            "ro" => rw = false,
            "rw" => rw = true,
            "z" | "Z" | "private" | "rprivate" | "shared" | "rshared" | "slave" | "rslave"
            | "nocopy" => {}
            _ => {
                return Err(Error::invalid(format!(
                    "invalid volume specification: {spec:?}: unknown mode {opt:?}"
                )))
            }
        }
    }
    if src.is_empty() {
        return Ok(volume_mount("", dst, mode, rw, true));
    }
    if is_path(src) {
        let abs = std::fs::canonicalize(src).unwrap_or_else(|_| Path::new(src).to_path_buf());
        if !abs.is_absolute() {
            return Err(Error::invalid(format!(
                "invalid volume specification: {spec:?}: the host path must be absolute"
            )));
        }
        return Ok(MountPoint {
            kind: "bind".into(),
            name: String::new(),
            source: abs.display().to_string(),
            destination: dst.into(),
            driver: String::new(),
            mode: mode.into(),
            rw,
            propagation: "rprivate".into(),
            anonymous: false,
        });
    }
    crate::volume::validate_name(src)?;
    Ok(volume_mount(src, dst, mode, rw, false))
}

fn volume_mount(name: &str, dst: &str, mode: &str, rw: bool, anonymous: bool) -> MountPoint {
    MountPoint {
        kind: "volume".into(),
        name: name.into(),
        source: String::new(),
        destination: dst.into(),
        driver: "local".into(),
        mode: if mode.is_empty() {
            "z".into()
        } else {
            mode.into()
        },
        rw,
        propagation: String::new(),
        anonymous,
    }
}

/// `--mount type=bind|volume|tmpfs,source=..,target=..,readonly`.
pub fn parse_mount_flag(spec: &str) -> Result<MountPoint> {
    let mut kv = BTreeMap::new();
    let mut readonly = false;
    for field in spec.split(',') {
        match field.split_once('=') {
            Some((k, v)) => {
                kv.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
            None if matches!(field, "readonly" | "ro") => readonly = true,
            None => {
                return Err(Error::invalid(format!(
                    "invalid --mount {spec:?}: invalid field {field:?} must be a key=value pair"
                )))
            }
        }
    }
    if let Some(v) = kv.get("readonly").or(kv.get("ro")) {
        readonly = matches!(v.as_str(), "1" | "true");
    }
    let kind = kv.get("type").cloned().unwrap_or_else(|| "volume".into());
    let src = kv
        .get("source")
        .or(kv.get("src"))
        .cloned()
        .unwrap_or_default();
    let dst = kv
        .get("target")
        .or(kv.get("destination"))
        .or(kv.get("dst"))
        .cloned()
        .ok_or_else(|| Error::invalid(format!("invalid --mount {spec:?}: target is required")))?;
    check_dest("--mount", spec, &dst)?;
    match kind.as_str() {
        "bind" => {
            if src.is_empty() {
                return Err(Error::invalid(format!(
                    "invalid --mount {spec:?}: source is required for a bind mount"
                )));
            }
            let p = Path::new(&src);
            if !p.exists() {
                return Err(Error::invalid(format!(
                    "invalid mount config for type \"bind\": bind source path does not exist: {src}"
                )));
            }
            Ok(MountPoint {
                kind: "bind".into(),
                name: String::new(),
                source: std::fs::canonicalize(p)
                    .unwrap_or_else(|_| p.to_path_buf())
                    .display()
                    .to_string(),
                destination: dst,
                driver: String::new(),
                mode: String::new(),
                rw: !readonly,
                propagation: "rprivate".into(),
                anonymous: false,
            })
        }
        "volume" => {
            if !src.is_empty() {
                crate::volume::validate_name(&src)?;
            }
            Ok(volume_mount(&src, &dst, "", !readonly, src.is_empty()))
        }
        "tmpfs" => {
            if !src.is_empty() {
                return Err(Error::invalid(format!(
                    "invalid --mount {spec:?}: a tmpfs has no source"
                )));
            }
            let mut opts = Vec::new();
            if let Some(size) = kv.get("tmpfs-size") {
                let bytes = crate::util::ram_in_bytes(size).map_err(|e| {
                    Error::invalid(format!("invalid --mount {spec:?}: tmpfs-size: {e}"))
                })?;
                opts.push(format!("size={bytes}"));
            }
            if let Some(mode) = kv.get("tmpfs-mode") {
                opts.push(format!("mode={mode}"));
            }
            if let Some(key) = kv.keys().find(|k| {
                k.starts_with("tmpfs-") && !matches!(k.as_str(), "tmpfs-size" | "tmpfs-mode")
            }) {
                return Err(Error::invalid(format!(
                    "invalid --mount {spec:?}: unknown tmpfs option {key:?} (berth takes tmpfs-size and tmpfs-mode)"
                )));
            }
            let opts = opts.join(",");
            tmpfs::parse(&opts)
                .map_err(|e| Error::invalid(format!("invalid --mount {spec:?}: {e}")))?;
            Ok(tmpfs_mount(&dst, &opts, !readonly))
        }
        other => Err(Error::invalid(format!(
            "invalid --mount {spec:?}: unknown mount type {other:?}"
        ))),
    }
}

/// `--tmpfs /dst[:opts]`. The options are kept as given (without `ro`/`rw`, which the
/// mount point's RW says) and read again by the same parser when the container starts.
pub fn parse_tmpfs_flag(spec: &str) -> Result<MountPoint> {
    let (dst, opts) = spec.split_once(':').unwrap_or((spec, ""));
    check_dest("--tmpfs", spec, dst)?;
    let parsed =
        tmpfs::parse(opts).map_err(|e| Error::invalid(format!("invalid --tmpfs {spec:?}: {e}")))?;
    let kept: Vec<&str> = opts
        .split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty() && !matches!(*o, "ro" | "rw"))
        .collect();
    Ok(tmpfs_mount(
        dst,
        &kept.join(","),
        parsed.readonly != Some(true),
    ))
}

fn tmpfs_mount(dst: &str, data: &str, rw: bool) -> MountPoint {
    MountPoint {
        kind: "tmpfs".into(),
        name: String::new(),
        source: String::new(),
        destination: dst.into(),
        driver: String::new(),
        mode: data.into(),
        rw,
        propagation: String::new(),
        anonymous: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_flags() {
        let m = parse_volume_flag("data:/var/lib/data:ro").unwrap();
        assert_eq!(
            (m.kind.as_str(), m.name.as_str(), m.rw),
            ("volume", "data", false)
        );
        let m = parse_volume_flag("/tmp:/host-tmp").unwrap();
        assert_eq!((m.kind.as_str(), m.source.as_str()), ("bind", "/tmp"));
        let m = parse_volume_flag("/cache").unwrap();
        assert!(m.anonymous && m.name.is_empty());
        assert!(parse_volume_flag("data:relative")
            .unwrap_err()
            .to_string()
            .contains("absolute"));
        assert!(parse_volume_flag("a:/b:c:d").is_err());
        assert!(parse_volume_flag("/x:/y:bogus").is_err());
    }

    #[test]
    fn mount_flags() {
        let err = parse_mount_flag("type=bind,source=/definitely/not/here,target=/x").unwrap_err();
        assert!(err
            .to_string()
            .contains("bind source path does not exist: /definitely/not/here"));
        let m = parse_mount_flag("type=bind,src=/tmp,dst=/x,readonly").unwrap();
        assert!(!m.rw);
        assert!(parse_mount_flag("type=nfs,target=/x").is_err());
        let t = parse_tmpfs_flag("/run:size=64m,exec,ro").unwrap();
        assert_eq!((t.mode.as_str(), t.rw), ("size=64m,exec", false));
        let m = parse_mount_flag("type=tmpfs,target=/run,tmpfs-size=1m,tmpfs-mode=700").unwrap();
        assert_eq!(m.mode, "size=1048576,mode=700");
    }

    #[test]
    fn bad_tmpfs_options_name_the_flag() {
        for (spec, says) in [
            (
                "/run:size=abc",
                "invalid --tmpfs \"/run:size=abc\": invalid value \"abc\" for size",
            ),
            (
                "/run:bogus",
                "invalid --tmpfs \"/run:bogus\": unknown option \"bogus\"",
            ),
        ] {
            let err = parse_tmpfs_flag(spec).unwrap_err().to_string();
            assert!(err.contains(says), "{err}");
        }
        for (spec, says) in [
            (
                "type=tmpfs,target=/x,tmpfs-size=abc",
                "tmpfs-size: invalid size \"abc\"",
            ),
            (
                "type=tmpfs,target=/x,tmpfs-mode=999",
                "invalid value \"999\" for mode",
            ),
            (
                "type=tmpfs,target=/x,tmpfs-colour=red",
                "unknown tmpfs option \"tmpfs-colour\"",
            ),
            ("type=tmpfs,source=foo,target=/x", "a tmpfs has no source"),
        ] {
            let err = parse_mount_flag(spec).unwrap_err().to_string();
            assert!(err.contains(&format!("invalid --mount {spec:?}")), "{err}");
            assert!(err.contains(says), "{err}");
        }
    }
}
