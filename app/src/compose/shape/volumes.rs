//! A service's `volumes`. The short form `[SOURCE:]TARGET[:OPTIONS]` becomes a long
//! entry as compose-go's volume-spec parser reads it:
//! - fields are split at colons, except inside `${...}` and after a one-letter drive
//!   (`C:\data:/data`; a one-letter volume name reads as a drive too);
//! - a target alone is an anonymous volume;
//! - a source starting with `.`, `/`, `~`, `\\` or a drive letter is a bind mount, which
//!   creates its host path when missing (the short form's legacy behaviour); any other
//!   source names a volume. Relative paths are kept as written: a later step resolves
//!   them against the project directory;
//! - options (comma-separated): `ro`, `rw`, `nocopy`, the bind propagations and the
//!   SELinux `z`/`Z`; others are ignored, as compose-go ignores them;
//! - the target is cleaned lexically (`/data/` is `/data`).

use std::collections::BTreeMap;

use super::{default, error, field, items, mapping, wrong_type, Result};
use berth_engine::build::context::clean_path;

use crate::compose::tree::{join, Node, Origin, Value};

const PROPAGATIONS: [&str; 6] = [
    "rprivate", "private", "rshared", "shared", "rslave", "slave",
];

pub(super) fn volumes(node: &mut Node, path: &str) -> Result<()> {
    items(node, path, |item, path| match &item.value {
        Value::Str(spec) => {
            let mount = parse(spec).map_err(|message| {
                error(item, path, format!("invalid volume {spec:?}: {message}"))
            })?;
            item.value = mount.into_value(&item.at);
            Ok(())
        }
        Value::Map(_) => long_form(item, path),
        _ => Err(wrong_type(item, path, "a string or a mapping")),
    })
}

/// A long entry keeps what it says; a `bind` section without `create_host_path` gets
/// `true` (the spec's default), and `volume.labels` becomes a mapping.
fn long_form(item: &mut Node, path: &str) -> Result<()> {
    let Value::Map(m) = &mut item.value else {
        return Ok(());
    };
    if let Some(bind) = m.get_mut("bind") {
        match bind.value {
            Value::Map(_) => default(bind, "create_host_path", Value::Bool(true)),
            Value::Null => {}
            _ => return Err(wrong_type(bind, &join(path, "bind"), "a mapping")),
        }
    }
    if let Some(volume) = m.get_mut("volume") {
        if let Value::Map(options) = &mut volume.value {
            field(options, &join(path, "volume"), "labels", mapping::labels)?;
        }
    }
    Ok(())
}

#[derive(Debug, Default, PartialEq)]
struct Mount {
    bind: bool,
    source: String,
    target: String,
    read_only: bool,
    propagation: Option<String>,
    selinux: Option<String>,
    nocopy: bool,
}

impl Mount {
    fn into_value(self, at: &Origin) -> Value {
        let node = |v: Value| Node::new(v, at.clone());
        let text = |s: String| node(Value::Str(s));
        let mut m = BTreeMap::new();
        let kind = if self.bind { "bind" } else { "volume" };
        m.insert("type".to_string(), text(kind.into()));
        if !self.source.is_empty() {
            m.insert("source".to_string(), text(self.source));
        }
        m.insert("target".to_string(), text(self.target));
        if self.read_only {
            m.insert("read_only".to_string(), node(Value::Bool(true)));
        }
        // compose-go keeps the bind options even on a named volume (`data:/d:z`).
        let mut bind = BTreeMap::new();
        if self.bind {
            bind.insert("create_host_path".to_string(), node(Value::Bool(true)));
        }
        if let Some(p) = self.propagation {
            bind.insert("propagation".to_string(), text(p));
        }
        if let Some(s) = self.selinux {
            bind.insert("selinux".to_string(), text(s));
        }
        if !bind.is_empty() {
            m.insert("bind".to_string(), node(Value::Map(bind)));
        }
        if !self.bind || self.nocopy {
            let mut volume = BTreeMap::new();
            if self.nocopy {
                volume.insert("nocopy".to_string(), node(Value::Bool(true)));
            }
            m.insert("volume".to_string(), node(Value::Map(volume)));
        }
        Value::Map(m)
    }
}

fn parse(spec: &str) -> std::result::Result<Mount, String> {
    if spec.is_empty() {
        return Err("empty volume spec".into());
    }
    let fields = split(spec);
    if fields.iter().any(String::is_empty) {
        return Err("empty section between colons".into());
    }
    let mut mount = Mount::default();
    match fields.as_slice() {
        [target] => mount.target = target.clone(),
        [source, target] | [source, target, _] => {
            mount.source = source.clone();
            mount.target = target.clone();
        }
        _ => return Err("too many colons".into()),
    }
    if let [_, _, options] = fields.as_slice() {
        for option in options.split(',') {
            match option {
                "ro" => mount.read_only = true,
                "rw" => mount.read_only = false,
                "nocopy" => mount.nocopy = true,
                "z" | "Z" => mount.selinux = Some(option.to_string()),
                p if PROPAGATIONS.contains(&p) => mount.propagation = Some(p.to_string()),
                _ => {}
            }
        }
    }
    mount.bind = is_host_path(&mount.source);
    // Go's path.Clean, as compose-go cleans targets; an empty target stays empty.
    if !mount.target.is_empty() {
        mount.target = clean_path(&mount.target);
    }
    Ok(mount)
}

/// The colon-separated fields, a colon inside `${...}` or right after a one-letter
/// drive name being part of the field.
fn split(spec: &str) -> Vec<String> {
    let chars: Vec<char> = spec.chars().collect();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut depth = 0usize;
    for (i, &c) in chars.iter().enumerate() {
        if c == '$' && chars.get(i + 1) == Some(&'{') {
            depth += 1;
        } else if c == '}' && depth > 0 {
            depth -= 1;
        } else if c == ':' && depth == 0 && !is_drive(&field) {
            fields.push(std::mem::take(&mut field));
            continue;
        }
        field.push(c);
    }
    fields.push(field);
    fields
}

fn is_drive(field: &str) -> bool {
    let mut chars = field.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_alphabetic())
}

fn is_host_path(source: &str) -> bool {
    if source.starts_with(['.', '/', '~']) || source.starts_with(r"\\") {
        return true;
    }
    let mut chars = source.chars();
    matches!((chars.next(), chars.next()), (Some(c), Some(':')) if c.is_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, web_err};

    #[test]
    fn host_paths_are_binds_that_create_their_source() {
        check(
            r#"volumes:
  - /var/run/docker.sock:/var/run/docker.sock
  - ./src:/app:ro
  - ../data:/data:rw
  - ~/configs:/etc/configs/:ro,z
  - "/srv:/srv:rshared,Z"
  - .:/code"#,
            r#"volumes:
  - type: bind
    source: /var/run/docker.sock
    target: /var/run/docker.sock
    bind: {create_host_path: true}
  - type: bind
    source: ./src
    target: /app
    read_only: true
    bind: {create_host_path: true}
  - type: bind
    source: ../data
    target: /data
    bind: {create_host_path: true}
  - type: bind
    source: ~/configs
    target: /etc/configs
    read_only: true
    bind: {create_host_path: true, selinux: z}
  - type: bind
    source: /srv
    target: /srv
    bind: {create_host_path: true, propagation: rshared, selinux: Z}
  - type: bind
    source: .
    target: /code
    bind: {create_host_path: true}"#,
        );
    }

    #[test]
    fn names_are_volumes_and_a_target_alone_is_anonymous() {
        check(
            r#"volumes:
  - db-data:/var/lib/postgresql/data
  - cache:/cache:nocopy,ro
  - /var/lib/anonymous
  - 0:/foo
  - data:/d:z
  - /h:/c:nocopy
  - vol:/c:cached"#,
            r#"volumes:
  - {type: volume, source: db-data, target: /var/lib/postgresql/data, volume: {}}
  - {type: volume, source: cache, target: /cache, read_only: true, volume: {nocopy: true}}
  - {type: volume, target: /var/lib/anonymous, volume: {}}
  - {type: volume, source: "0", target: /foo, volume: {}}
  - {type: volume, source: data, target: /d, bind: {selinux: z}, volume: {}}
  - {type: bind, source: /h, target: /c, bind: {create_host_path: true}, volume: {nocopy: true}}
  - {type: volume, source: vol, target: /c, volume: {}}"#,
        );
    }

    #[test]
    fn windows_drives_and_substitutions_keep_their_colons() {
        // A one-letter source reads as a drive (`c:/data` is one field), and an
        // unresolved `${...}` source is not a host path: both as compose-go reads them.
        check(
            r#"volumes:
  - 'C:\data:/data'
  - c:/data
  - '\\.\pipe\docker_engine:\\.\pipe\docker_engine'
  - "${HOME:-/tmp}:/home""#,
            r#"volumes:
  - {type: bind, source: 'C:\data', target: /data, bind: {create_host_path: true}}
  - {type: volume, target: c:/data, volume: {}}
  - {type: bind, source: '\\.\pipe\docker_engine', target: '\\.\pipe\docker_engine', bind: {create_host_path: true}}
  - {type: volume, source: "${HOME:-/tmp}", target: /home, volume: {}}"#,
        );
    }

    #[test]
    fn long_entries_fill_create_host_path_only_in_a_bind_section() {
        check(
            r#"volumes:
  - type: bind
    source: ./a
    target: /a
  - type: bind
    source: ./b
    target: /b/
    bind: {propagation: rslave}
  - type: bind
    source: ./c
    target: /c
    bind: {create_host_path: false}
  - type: volume
    source: v
    target: /v
    volume: {nocopy: true, labels: [a=b]}
  - {type: tmpfs, target: /t, tmpfs: {size: 1000}}"#,
            r#"volumes:
  - {type: bind, source: ./a, target: /a}
  - {type: bind, source: ./b, target: /b/, bind: {propagation: rslave, create_host_path: true}}
  - {type: bind, source: ./c, target: /c, bind: {create_host_path: false}}
  - {type: volume, source: v, target: /v, volume: {nocopy: true, labels: {a: b}}}
  - {type: tmpfs, target: /t, tmpfs: {size: 1000}}"#,
        );
    }

    #[test]
    fn invalid_specs_name_the_entry_and_the_reason() {
        let cases = [
            (
                "volumes:\n  - \"\"",
                "compose.yaml:4: services.web.volumes[0]: invalid volume \"\": empty volume spec",
            ),
            (
                "volumes:\n  - \":/data\"",
                "compose.yaml:4: services.web.volumes[0]: invalid volume \":/data\": empty section between colons",
            ),
            (
                "volumes:\n  - /a:/b\n  - \"/a::ro\"",
                "compose.yaml:5: services.web.volumes[1]: invalid volume \"/a::ro\": empty section between colons",
            ),
            (
                "volumes:\n  - /a:/b:ro:z",
                "compose.yaml:4: services.web.volumes[0]: invalid volume \"/a:/b:ro:z\": too many colons",
            ),
            (
                "volumes:\n  - 1",
                "compose.yaml:4: services.web.volumes[0]: must be a string or a mapping, not an integer",
            ),
            (
                "volumes:\n  - {type: bind, source: ., target: /a, bind: rw}",
                "compose.yaml:4: services.web.volumes[0].bind: must be a mapping, not a string",
            ),
            (
                "volumes: /data",
                "compose.yaml:3: services.web.volumes: must be a list, not a string",
            ),
        ];
        for (body, message) in cases {
            assert_eq!(web_err(body), message, "{body}");
        }
    }
}
