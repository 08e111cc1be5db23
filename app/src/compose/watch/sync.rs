//! Copying changed files into a service's containers, as Compose's tar syncer does:
//! what still exists on the host goes in one tar (entries named by their container
//! path, owners and modes as on the host) unpacked at `/` through the interface's
//! archive put; what is gone is removed in the container with `rm -rf`, before the
//! copy, since the interface has no delete of its own.
//!
//! A changed directory travels as its own entry only: the watcher reports every file
//! inside a new directory by itself, each through the rules' ignores, so the tar never
//! carries what a rule ignores.

use std::fs;
use std::io;
use std::path::Path;

use bollard::models as m;

use super::batch::{mapping, Mapping};
use super::exec;
use super::plan::Rule;
use crate::backend::{once_bytes, Backend};
use crate::compose::run::{ComposeError, Result};

/// The mappings split by whether the host still has the file.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Split {
    pub copy: Vec<Mapping>,
    /// Container paths to remove.
    pub delete: Vec<String>,
}

pub fn split(mappings: &[Mapping]) -> Split {
    let mut s = Split::default();
    for mp in mappings {
        match fs::symlink_metadata(&mp.host) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => s.delete.push(mp.container.clone()),
            _ => s.copy.push(mp.clone()),
        }
    }
    s
}

/// The tar of `copy`, or None when nothing was left to put in it (every file went
/// away meanwhile).
pub fn tar_of(copy: &[Mapping]) -> io::Result<Option<Vec<u8>>> {
    let mut out = Vec::new();
    let mut any = false;
    {
        let mut t = tar::Builder::new(&mut out);
        t.follow_symlinks(false);
        for mp in copy {
            // A tar names entries relatively; they are unpacked at `/`.
            let name = mp.container.trim_start_matches('/');
            if name.is_empty() {
                continue;
            }
            let meta = match fs::symlink_metadata(&mp.host) {
                Ok(meta) => meta,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            let added = if meta.is_dir() {
                t.append_dir(name, &mp.host)
            } else {
                t.append_path_with_name(&mp.host, name)
            };
            match added {
                Ok(()) => any = true,
                // Deleted between the look and the read: its deletion comes next batch.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        t.finish()?;
    }
    Ok(any.then_some(out))
}

/// Bring `mappings` into each of the containers `ids`.
pub async fn sync(b: &dyn Backend, ids: &[String], mappings: &[Mapping]) -> Result<()> {
    let s = split(mappings);
    let tar =
        tar_of(&s.copy).map_err(|e| ComposeError::Invalid(format!("adding files to tar: {e}")))?;
    for id in ids {
        if !s.delete.is_empty() {
            let mut cmd = vec!["rm".to_string(), "-rf".to_string()];
            cmd.extend(s.delete.iter().cloned());
            let cfg = m::ExecConfig {
                cmd: Some(cmd),
                ..Default::default()
            };
            let ran = exec::run(b, id, cfg).await?;
            if ran.code != 0 {
                return Err(ComposeError::Invalid(format!(
                    "deleting paths in {id}: exit code {}",
                    ran.code
                )));
            }
        }
        if let Some(tar) = &tar {
            b.archive_put(
                id,
                "/",
                false,
                true,
                once_bytes(bytes::Bytes::from(tar.clone())),
            )
            .await
            .map_err(|e| ComposeError::Invalid(format!("copying files to {id}: {e}")))?;
        }
    }
    Ok(())
}

/// `initial_sync`: every file below the rule's path that it does not ignore, mapped to
/// its target (ignored directories are not walked).
pub fn initial_files(rule: &Rule) -> Vec<Mapping> {
    let mut out = Vec::new();
    walk(rule, &rule.path, &mut out);
    out
}

fn walk(rule: &Rule, p: &Path, out: &mut Vec<Mapping>) {
    let Ok(meta) = fs::symlink_metadata(p) else {
        return;
    };
    if !meta.is_dir() {
        out.extend(mapping(rule, p));
        return;
    }
    if p != rule.path && rule.ignore.covers_dir(p) {
        return;
    }
    let Ok(entries) = fs::read_dir(p) else {
        return;
    };
    let mut names: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    names.sort();
    for child in names {
        walk(rule, &child, out);
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::compose::model::WatchAction;
    use crate::compose::watch::matcher::{Anchored, AnyOf};

    fn entries(tar: &[u8]) -> Vec<(String, String)> {
        let mut a = tar::Archive::new(tar);
        let mut out = Vec::new();
        for e in a.entries().unwrap_or_else(|e| panic!("{e}")) {
            let mut e = e.unwrap_or_else(|e| panic!("{e}"));
            let name = e
                .path()
                .unwrap_or_else(|e| panic!("{e}"))
                .display()
                .to_string()
                .trim_end_matches('/')
                .to_string();
            let mut text = String::new();
            io::Read::read_to_string(&mut e, &mut text).unwrap_or_else(|e| panic!("{e}"));
            out.push((name, text));
        }
        out
    }

    #[test]
    fn what_exists_is_copied_what_is_gone_is_deleted() {
        let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let src = d.path();
        fs::create_dir(src.join("dir")).unwrap_or_else(|e| panic!("{e}"));
        fs::write(src.join("dir/a.txt"), "hello").unwrap_or_else(|e| panic!("{e}"));
        let mp = |host: &str, container: &str| Mapping {
            host: src.join(host),
            container: container.into(),
        };
        let all = vec![
            mp("dir", "/app/dir"),
            mp("dir/a.txt", "/app/dir/a.txt"),
            mp("gone.txt", "/app/gone.txt"),
        ];
        let s = split(&all);
        assert_eq!(s.delete, ["/app/gone.txt"]);
        assert_eq!(s.copy.len(), 2);
        let tar = tar_of(&s.copy)
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("an archive"));
        assert_eq!(
            entries(&tar),
            [
                ("app/dir".to_string(), String::new()),
                ("app/dir/a.txt".to_string(), "hello".to_string())
            ]
        );
        // Nothing left to copy: no archive at all.
        assert_eq!(tar_of(&[mp("gone.txt", "/x")]).ok(), Some(None));
    }

    #[test]
    fn an_initial_sync_walks_what_the_rule_keeps() {
        let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = d.path().to_path_buf();
        for f in ["a.txt", "sub/b.txt", "node_modules/x.js"] {
            let p = root.join(f);
            fs::create_dir_all(p.parent().unwrap_or(&root)).unwrap_or_else(|e| panic!("{e}"));
            fs::write(p, f).unwrap_or_else(|e| panic!("{e}"));
        }
        let rule = Rule {
            service: "web".into(),
            action: WatchAction::Sync,
            path: root.clone(),
            target: Some("/app".into()),
            exec: None,
            include: None,
            ignore: AnyOf(vec![
                Anchored::new(&root, &["node_modules".into()]).unwrap_or_else(|e| panic!("{e}"))
            ]),
            initial_sync: true,
        };
        let got: Vec<(PathBuf, String)> = initial_files(&rule)
            .into_iter()
            .map(|m| (m.host, m.container))
            .collect();
        assert_eq!(
            got,
            [
                (root.join("a.txt"), "/app/a.txt".to_string()),
                (root.join("sub/b.txt"), "/app/sub/b.txt".to_string())
            ]
        );
    }
}
