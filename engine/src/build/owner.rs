//! `--chown=user[:group]`: numbers as they are, names looked up in the image's own
//! `/etc/passwd` and `/etc/group` (read inside the container's root, never the host's).
//! A user without a group gets the user's number as the group, as Docker documents.

use std::io::Read;

use crate::container::Container;
use crate::error::{Error, Result};
use crate::Engine;

pub fn resolve_owner(engine: &Engine, c: &Container, spec: &str) -> Result<(u32, u32)> {
    let (user, group) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    if let Ok(ids) = numeric(spec) {
        return Ok(ids);
    }
    let uid = match user.parse::<u32>() {
        Ok(n) => n,
        Err(_) => lookup(engine, c, "/etc/passwd", user)?
            .ok_or_else(|| Error::invalid(format!("unable to convert uid/gid chown string to host mapping: can't find uid for user {user}: no such user: {user}")))?,
    };
    let gid = match group {
        None => uid,
        Some(g) => match g.parse::<u32>() {
            Ok(n) => n,
            Err(_) => lookup(engine, c, "/etc/group", g)?.ok_or_else(|| {
                Error::invalid(format!("unable to convert uid/gid chown string to host mapping: can't find gid for group {g}: no such group: {g}"))
            })?,
        },
    };
    Ok((uid, gid))
}

/// `user[:group]` as numbers only (a stage with no files has no passwd to look names
/// up in); a user alone is also the group.
pub fn numeric(spec: &str) -> Result<(u32, u32)> {
    let (u, g) = spec.split_once(':').unwrap_or((spec, ""));
    let uid: u32 = u.parse().map_err(|_| {
        Error::invalid(format!(
            "--chown={spec}: a stage with no files has no users to look {u} up in; use numbers"
        ))
    })?;
    let gid = match g {
        "" => uid,
        g => g.parse().map_err(|_| {
            Error::invalid(format!(
                "--chown={spec}: a stage with no files has no groups to look {g} up in; use numbers"
            ))
        })?,
    };
    Ok((uid, gid))
}

/// The id (third field) of `name` in a passwd- or group-format file of the container.
fn lookup(engine: &Engine, c: &Container, file: &str, name: &str) -> Result<Option<u32>> {
    let text = engine
        .send_path(c, file, "f", |r| {
            let mut a = tar::Archive::new(r);
            let mut text = String::new();
            let entries = a
                .entries()
                .map_err(|e| Error::Runtime(format!("reading {file}: {e}")))?;
            for e in entries {
                let mut e = e.map_err(|e| Error::Runtime(format!("reading {file}: {e}")))?;
                e.read_to_string(&mut text)
                    .map_err(|e| Error::Runtime(format!("reading {file}: {e}")))?;
            }
            Ok(text)
        })
        .unwrap_or_default();
    Ok(find_id(&text, name))
}

fn find_id(text: &str, name: &str) -> Option<u32> {
    text.lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.first() == Some(&name))
        .and_then(|f| f.get(2).and_then(|id| id.parse().ok()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_ids_by_name() {
        let passwd = "root:x:0:0:root:/root:/bin/sh\nwww:x:33:33::/var/www:/bin/false\n";
        assert_eq!(super::find_id(passwd, "www"), Some(33));
        assert_eq!(super::find_id(passwd, "nobody"), None);
    }
}
