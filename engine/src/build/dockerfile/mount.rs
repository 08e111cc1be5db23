//! `RUN --mount=type=...,key=value,...`: the CSV fields, BuildKit's defaults (bind,
//! read-only unless cache or tmpfs) and its validation messages.
//!
//! Values stay raw words. BuildKit expands them with the step's variables; the typed
//! ones (type, sharing, mode, uid, gid, size, ro/rw) must be literal here.

use super::suggest;
use super::types::{RunMount, Sharing};

const KEYS: &[&str] = &[
    "type",
    "from",
    "source",
    "target",
    "readonly",
    "id",
    "sharing",
    "required",
    "size",
    "mode",
    "uid",
    "gid",
    "src",
    "dst",
    "destination",
    "ro",
    "rw",
    "readwrite",
    "env",
];

/// Everything a mount flag may say, before it is shaped into a [`RunMount`].
#[derive(Default)]
struct Fields {
    kind: String,
    from: Option<String>,
    source: Option<String>,
    target: Option<String>,
    readonly: Option<bool>,
    id: Option<String>,
    sharing: Option<Sharing>,
    required: bool,
    size: Option<u64>,
    mode: Option<u32>,
    uid: Option<u32>,
    gid: Option<u32>,
    env: Option<String>,
}

/// Parses the value of one `--mount=` flag.
pub(crate) fn parse_mount(value: &str) -> Result<RunMount, String> {
    let mut f = Fields {
        kind: "bind".into(),
        ..Fields::default()
    };
    for field in csv_fields(value)? {
        let (key, val) = match field.split_once('=') {
            Some((k, v)) => (k.to_ascii_lowercase(), Some(v.to_string())),
            None => (field.to_ascii_lowercase(), None),
        };
        let Some(val) = val else {
            match key.as_str() {
                "readonly" | "ro" => f.readonly = Some(true),
                "readwrite" | "rw" => f.readonly = Some(false),
                "required" if f.kind == "secret" || f.kind == "ssh" => f.required = true,
                "required" => {
                    return Err(format!(
                        "unexpected key '{key}' for mount type '{}'",
                        f.kind
                    ))
                }
                _ => return Err(format!("invalid field '{field}' must be a key=value pair")),
            }
            continue;
        };
        set_field(&mut f, &key, val, &field)?;
    }
    shape(f)
}

fn set_field(f: &mut Fields, key: &str, val: String, field: &str) -> Result<(), String> {
    let invalid = |k: &str, v: &str| format!("invalid value for {k}: {v}");
    match key {
        "type" => {
            let t = val.to_ascii_lowercase();
            const TYPES: &[&str] = &["bind", "cache", "tmpfs", "secret", "ssh"];
            if !TYPES.contains(&t.as_str()) {
                return Err(suggest::wrap(
                    format!("unsupported mount type {val:?}"),
                    &val,
                    TYPES,
                    true,
                ));
            }
            f.kind = t;
        }
        "from" => {
            // A stage must be known before the step runs, so no variables here.
            if val.find('$').is_some_and(|i| i != val.len() - 1) {
                return Err(
                    "'from' doesn't support variable expansion, define alias stage instead".into(),
                );
            }
            f.from = Some(val);
        }
        "source" | "src" => f.source = Some(val),
        "target" | "dst" | "destination" => f.target = Some(val),
        "readonly" | "ro" => f.readonly = Some(parse_bool(&val).ok_or_else(|| invalid(key, &val))?),
        "readwrite" | "rw" => {
            f.readonly = Some(!parse_bool(&val).ok_or_else(|| invalid(key, &val))?)
        }
        "required" if f.kind == "secret" || f.kind == "ssh" => {
            f.required = parse_bool(&val).ok_or_else(|| invalid(key, &val))?
        }
        "required" => {
            return Err(format!(
                "unexpected key '{key}' for mount type '{}'",
                f.kind
            ))
        }
        "size" if f.kind == "tmpfs" => {
            f.size = Some(ram_in_bytes(&val).ok_or_else(|| invalid(key, &val))?)
        }
        "size" => {
            return Err(format!(
                "unexpected key '{key}' for mount type '{}'",
                f.kind
            ))
        }
        "id" => f.id = Some(val),
        "sharing" => {
            f.sharing = Some(match val.to_ascii_lowercase().as_str() {
                "shared" => Sharing::Shared,
                "private" => Sharing::Private,
                "locked" => Sharing::Locked,
                _ => {
                    return Err(suggest::wrap(
                        format!("unsupported sharing value {val:?}"),
                        &val,
                        &["shared", "private", "locked"],
                        true,
                    ))
                }
            })
        }
        "mode" => {
            f.mode = Some(
                u32::from_str_radix(&val, 8)
                    .map_err(|_| format!("invalid value {val} for mode"))?,
            )
        }
        "uid" => {
            f.uid = Some(
                val.parse()
                    .map_err(|_| format!("invalid value {val} for uid"))?,
            )
        }
        "gid" => {
            f.gid = Some(
                val.parse()
                    .map_err(|_| format!("invalid value {val} for gid"))?,
            )
        }
        "env" => f.env = Some(val),
        _ => {
            return Err(suggest::wrap(
                format!("unexpected key '{key}' in '{field}'"),
                key,
                KEYS,
                true,
            ))
        }
    }
    Ok(())
}

/// Checks the combination and applies Docker's defaults.
fn shape(f: Fields) -> Result<RunMount, String> {
    let kind = f.kind.as_str();
    if !matches!(kind, "secret" | "ssh" | "cache") {
        for (name, set) in [
            ("mode", f.mode.is_some()),
            ("uid", f.uid.is_some()),
            ("gid", f.gid.is_some()),
        ] {
            if set {
                return Err(format!("{name} not allowed for {kind:?} type mounts"));
            }
        }
    }
    if kind == "secret" {
        if f.from.is_some() {
            return Err("secret mount should not have a from".into());
        }
        if f.sharing.is_some() {
            return Err("secret mount should not define sharing".into());
        }
        if f.source.is_none() && f.target.is_none() && f.id.is_none() {
            return Err("invalid secret mount. one of source, target required".into());
        }
        if f.source.is_some() && f.id.is_some() {
            return Err("both source and id can't be set".into());
        }
    }
    if f.sharing.is_some() && kind != "cache" {
        return Err(format!("invalid cache sharing set for {kind} mount"));
    }
    if kind == "ssh" && f.source.is_some() {
        return Err("ssh does not support source".into());
    }
    let target = f.target.clone().unwrap_or_default();
    Ok(match kind {
        "cache" => RunMount::Cache {
            target,
            id: f.id,
            sharing: f.sharing.unwrap_or_default(),
            from: f.from,
            source: f.source,
            mode: f.mode,
            uid: f.uid,
            gid: f.gid,
            readonly: f.readonly.unwrap_or(false),
        },
        "tmpfs" => RunMount::Tmpfs {
            target,
            size: f.size,
        },
        "secret" => RunMount::Secret {
            // `source=` names the secret just as `id=` does.
            id: f.source.or(f.id),
            target: f.target,
            env: f.env,
            required: f.required,
            mode: f.mode,
            uid: f.uid,
            gid: f.gid,
        },
        "ssh" => RunMount::Ssh {
            id: f.id,
            target: f.target,
            required: f.required,
            mode: f.mode,
            uid: f.uid,
            gid: f.gid,
        },
        _ => RunMount::Bind {
            target,
            source: f.source,
            from: f.from,
            readwrite: f.readonly == Some(false),
        },
    })
}

/// Go's `strconv.ParseBool`.
fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// docker/go-units `RAMInBytes`: a number, an optional space, an optional binary unit
/// letter (k, m, g, t, p) and an optional `i` and `b`: `64m`, `1.5g`, `512MiB`, `4096`.
fn ram_in_bytes(v: &str) -> Option<u64> {
    let num_end = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    let (num, unit) = v.split_at(num_end);
    if num.is_empty() || num.starts_with('.') || num.ends_with('.') {
        return None;
    }
    let n: f64 = num.parse().ok()?;
    let unit = unit.strip_prefix(' ').unwrap_or(unit).to_ascii_lowercase();
    let mut chars = unit.chars();
    let mult: u64 = match chars.clone().next() {
        Some('k') => 1 << 10,
        Some('m') => 1 << 20,
        Some('g') => 1 << 30,
        Some('t') => 1 << 40,
        Some('p') => 1 << 50,
        _ => 1,
    };
    if mult != 1 {
        chars.next();
    }
    let rest: String = chars.collect();
    if !matches!(rest.as_str(), "" | "b" | "i" | "ib") {
        return None;
    }
    Some((n * mult as f64) as u64)
}

/// Splits one CSV record: commas separate fields, double quotes protect commas, `""`
/// inside quotes is a quote.
fn csv_fields(value: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    if quoted {
        return Err(format!(
            "failed to parse csv mounts: extraneous or missing \" in quoted-field: {value}"
        ));
    }
    fields.push(cur);
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_per_type() {
        assert_eq!(
            parse_mount("target=/src"),
            Ok(RunMount::Bind {
                target: "/src".into(),
                source: None,
                from: None,
                readwrite: false
            })
        );
        assert_eq!(
            parse_mount("type=bind,from=build,src=/out,dst=/in,rw"),
            Ok(RunMount::Bind {
                target: "/in".into(),
                source: Some("/out".into()),
                from: Some("build".into()),
                readwrite: true
            })
        );
        assert_eq!(
            parse_mount("type=cache,target=/root/.cache,id=pip,sharing=locked,mode=0700,uid=1000"),
            Ok(RunMount::Cache {
                target: "/root/.cache".into(),
                id: Some("pip".into()),
                sharing: Sharing::Locked,
                from: None,
                source: None,
                mode: Some(0o700),
                uid: Some(1000),
                gid: None,
                readonly: false
            })
        );
        assert_eq!(
            parse_mount("type=tmpfs,target=/t,size=64m"),
            Ok(RunMount::Tmpfs {
                target: "/t".into(),
                size: Some(64 << 20)
            })
        );
        let s = parse_mount("type=secret,target=/etc/npmrc,required").ok();
        let s = s.unwrap_or(RunMount::Tmpfs {
            target: String::new(),
            size: None,
        });
        assert_eq!(s.secret_id().as_deref(), Some("npmrc"));
        assert_eq!(s.secret_target().as_deref(), Some("/etc/npmrc"));
        let s = parse_mount("type=secret,id=tok").ok();
        let s = s.unwrap_or(RunMount::Tmpfs {
            target: String::new(),
            size: None,
        });
        assert_eq!(s.secret_target().as_deref(), Some("/run/secrets/tok"));
        assert!(matches!(
            parse_mount("type=ssh,required=true"),
            Ok(RunMount::Ssh { required: true, .. })
        ));
    }

    #[test]
    fn refuses_with_buildkit_messages() {
        let cases: &[(&str, &str)] = &[
            ("type=volume", "unsupported mount type \"volume\""),
            (
                "type=cahce",
                "unsupported mount type \"cahce\" (did you mean cache?)",
            ),
            (
                "target=/x,colour=red",
                "unexpected key 'colour' in 'colour=red'",
            ),
            (
                "target=/x,sorce=a",
                "unexpected key 'sorce' in 'sorce=a' (did you mean source?)",
            ),
            (
                "target=/x,required",
                "unexpected key 'required' for mount type 'bind'",
            ),
            (
                "target=/x,foo",
                "invalid field 'foo' must be a key=value pair",
            ),
            (
                "target=/x,mode=0755",
                "mode not allowed for \"bind\" type mounts",
            ),
            ("type=cache,target=/x,mode=9", "invalid value 9 for mode"),
            (
                "type=cache,target=/x,sharing=all",
                "unsupported sharing value \"all\"",
            ),
            (
                "type=bind,target=/x,sharing=locked",
                "invalid cache sharing set for bind mount",
            ),
            (
                "type=secret",
                "invalid secret mount. one of source, target required",
            ),
            (
                "type=secret,id=a,source=b",
                "both source and id can't be set",
            ),
            (
                "type=secret,id=a,from=x",
                "secret mount should not have a from",
            ),
            (
                "type=tmpfs,target=/t,size=lots",
                "invalid value for size: lots",
            ),
            (
                "type=cache,target=/x,size=1g",
                "unexpected key 'size' for mount type 'cache'",
            ),
            ("target=/x,ro=maybe", "invalid value for ro: maybe"),
            (
                "target=/x,from=$STAGE",
                "'from' doesn't support variable expansion, define alias stage instead",
            ),
        ];
        for (value, want) in cases {
            assert_eq!(parse_mount(value).err().as_deref(), Some(*want), "{value}");
        }
    }

    #[test]
    fn csv_quotes() {
        assert_eq!(
            csv_fields("type=bind,\"target=/a,b\",ro"),
            Ok(vec!["type=bind".into(), "target=/a,b".into(), "ro".into()])
        );
        assert!(csv_fields("\"open").is_err());
    }
}
