//! Resolving `-u name|uid[:group|gid]` against the container's own /etc/passwd and
//! /etc/group, as Docker does (the host's user database is never consulted).

use std::fs;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecUser {
    pub uid: u32,
    pub gid: u32,
    pub additional_gids: Vec<u32>,
    pub home: String,
}

struct PasswdEntry {
    name: String,
    uid: u32,
    gid: u32,
    home: String,
}

fn passwd(root: &Path) -> Vec<PasswdEntry> {
    let text = fs::read_to_string(root.join("etc/passwd")).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            if f.len() < 6 {
                return None;
            }
            Some(PasswdEntry {
                name: f[0].into(),
                uid: f[2].parse().ok()?,
                gid: f[3].parse().ok()?,
                home: f[5].into(),
            })
        })
        .collect()
}

/// (name, gid, members)
fn groups(root: &Path) -> Vec<(String, u32, Vec<String>)> {
    let text = fs::read_to_string(root.join("etc/group")).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.len() >= 3).then(|| {
                let members = f.get(3).map(|m| {
                    m.split(',')
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect()
                });
                Some((
                    f[0].to_string(),
                    f[2].parse().ok()?,
                    members.unwrap_or_default(),
                ))
            })?
        })
        .collect()
}

/// Resolve `spec` with `root` as the container's root directory.
pub fn resolve(root: &Path, spec: &str) -> Result<ExecUser, String> {
    let (user, group) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    let users = passwd(root);
    let (uid, mut gid, home, name) = if user.is_empty() {
        (0, 0, "/root".to_string(), Some("root".to_string()))
    } else if let Ok(uid) = user.parse::<u32>() {
        match users.iter().find(|e| e.uid == uid) {
            Some(e) => (uid, e.gid, e.home.clone(), Some(e.name.clone())),
            None => (uid, 0, "/".to_string(), None),
        }
    } else {
        let e = users.iter().find(|e| e.name == user).ok_or_else(|| {
            format!("unable to find user {user}: no matching entries in passwd file")
        })?;
        (e.uid, e.gid, e.home.clone(), Some(e.name.clone()))
    };
    let groups = groups(root);
    if let Some(g) = group.filter(|g| !g.is_empty()) {
        gid = match g.parse::<u32>() {
            Ok(n) => n,
            Err(_) => groups
                .iter()
                .find(|(n, _, _)| n == g)
                .map(|(_, id, _)| *id)
                .ok_or_else(|| {
                    format!("unable to find group {g}: no matching entries in group file")
                })?,
        };
    }
    let mut additional_gids: Vec<u32> = match (&name, group) {
        (Some(n), None) => groups
            .iter()
            .filter(|(_, _, m)| m.contains(n))
            .map(|(_, id, _)| *id)
            .collect(),
        _ => Vec::new(),
    };
    // The primary group is a supplementary one too, as Docker sets it since the fix
    // for CVE-2022-36109: dropping it from the list must not grant what the group
    // denies (files with a group-deny mode).
    if !additional_gids.contains(&gid) {
        additional_gids.push(gid);
    }
    Ok(ExecUser {
        uid,
        gid,
        additional_gids,
        home,
    })
}

/// `--group-add`: a gid as is, a name looked up in the container's /etc/group.
pub fn group_id(root: &Path, g: &str) -> Result<u32, String> {
    if let Ok(n) = g.parse::<u32>() {
        return Ok(n);
    }
    groups(root)
        .iter()
        .find(|(n, _, _)| n == g)
        .map(|(_, id, _)| *id)
        .ok_or_else(|| format!("unable to find group {g}: no matching entries in group file"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join("etc")).unwrap();
        fs::write(d.path().join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\napp:x:1000:1000::/home/app:/bin/sh\n").unwrap();
        fs::write(
            d.path().join("etc/group"),
            "root:x:0:\nwheel:x:10:app\napp:x:1000:\nnogroup:x:65534:\n",
        )
        .unwrap();
        d
    }

    #[test]
    fn names_ids_and_groups() {
        let r = root();
        let u = resolve(r.path(), "app").unwrap();
        assert_eq!(
            (u.uid, u.gid, u.home.as_str(), u.additional_gids.clone()),
            (1000, 1000, "/home/app", vec![10, 1000])
        );
        assert_eq!(resolve(r.path(), "1000:10").unwrap().gid, 10);
        assert_eq!(resolve(r.path(), "4242").unwrap().uid, 4242);
        assert_eq!(resolve(r.path(), "nobody:wheel").unwrap().gid, 10);
        assert_eq!(resolve(r.path(), "").unwrap().uid, 0);
        assert!(resolve(r.path(), "ghost").unwrap_err().contains("ghost"));
        assert!(resolve(r.path(), "app:ghosts")
            .unwrap_err()
            .contains("ghosts"));
    }

    #[test]
    fn added_groups_by_name_or_number() {
        let r = root();
        assert_eq!(group_id(r.path(), "wheel").unwrap(), 10);
        assert_eq!(group_id(r.path(), "4242").unwrap(), 4242);
        assert!(group_id(r.path(), "ghosts").unwrap_err().contains("ghosts"));
    }
}
