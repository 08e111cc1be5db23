//! The known differences of form between docker-compose v1's `config` and Compose v2's
//! (which Berth prints), brought to one shape. Each rule says which side it is for and
//! why; README.md lists the same.

use serde_json::{json, Map, Value};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Side {
    DockerComposeV1,
    Berth,
}

/// Keys whose values are byte sizes (`64m` in v1, `"67108864"` in v2).
const SIZE_KEYS: &[&str] = &[
    "mem_limit",
    "memswap_limit",
    "mem_reservation",
    "shm_size",
    "memory",
    "size",
];

/// Lists v2 keeps without duplicates when files merge, where v1 appends.
const UNIQUE_LISTS: &[&str] = &[
    "dns",
    "dns_search",
    "dns_opt",
    "cap_add",
    "cap_drop",
    "expose",
];

pub fn normalize(mut doc: Value, side: Side, project: &str) -> Value {
    let Some(top) = doc.as_object_mut() else {
        return doc;
    };
    // v1 prints `version: '3.9'`; v2 prints the project's `name:`.
    top.remove("version");
    top.remove("name");
    // v2 names every top-level object `PROJECT_KEY` in the output; v1 leaves it implied.
    for kind in ["networks", "volumes", "secrets", "configs"] {
        if let Some(Value::Object(objs)) = top.get_mut(kind) {
            // v2 writes the default network out; v1 leaves it implied.
            objs.remove("default");
            for (key, o) in objs.iter_mut() {
                if let Some(m) = o.as_object_mut() {
                    if m.get("name").and_then(Value::as_str) == Some(&format!("{project}_{key}")) {
                        m.remove("name");
                    }
                }
            }
        }
    }
    if let Some(Value::Object(services)) = top.get_mut("services") {
        for svc in services.values_mut() {
            if let Some(s) = svc.as_object_mut() {
                service(s, side);
            }
        }
    }
    tidy(&mut doc, "");
    doc
}

fn service(s: &mut Map<String, Value>, side: Side) {
    // v2 resolves `env_file` into `environment` and still lists the files; v1 only
    // resolves them.
    s.remove("env_file");
    if let Some(Value::Object(nets)) = s.get_mut("networks") {
        nets.remove("default");
    }
    for key in ["command", "entrypoint"] {
        // v1 keeps a string as written; v2 splits it as a shell would.
        if let Some(Value::String(line)) = s.get(key) {
            let words = shell_words(line);
            s.insert(key.into(), json!(words));
        }
    }
    if let Some(Value::Object(h)) = s.get_mut("healthcheck") {
        // v1 turns `disable: true` into `test: [NONE]`; v2 keeps `disable`.
        if h.remove("disable") == Some(Value::Bool(true)) {
            h.insert("test".into(), json!(["NONE"]));
        }
        // v1 keeps a string test as written; v2 makes it `[CMD-SHELL, TEXT]`.
        if let Some(Value::String(t)) = h.get("test") {
            let t = t.clone();
            h.insert("test".into(), json!(["CMD-SHELL", t]));
        }
    }
    if side == Side::DockerComposeV1 {
        v1_service(s);
    }
    depends_on(s);
    if let Some(Value::Array(ports)) = s.get_mut("ports") {
        for p in ports.iter_mut() {
            *p = port(p);
        }
    }
    if let Some(Value::Array(vols)) = s.get_mut("volumes") {
        for v in vols.iter_mut() {
            *v = volume(v);
        }
    }
    for (key, default_dir) in [("secrets", "/run/secrets/"), ("configs", "/")] {
        if let Some(Value::Array(refs)) = s.get_mut(key) {
            for r in refs.iter_mut() {
                *r = file_ref(r, default_dir);
            }
        }
    }
    if let Some(Value::Object(b)) = s.get_mut("build") {
        // An arg without a value: v1 prints '', v2 null (not set in the environment).
        if let Some(Value::Object(args)) = b.get_mut("args") {
            for v in args.values_mut() {
                if v.is_null() {
                    *v = json!("");
                }
            }
        }
    }
    if let Some(Value::Object(u)) = s.get_mut("ulimits") {
        // `nproc: N`: v2 keeps the single value, Berth prints `{soft: N, hard: N}`.
        for v in u.values_mut() {
            if !v.is_object() {
                *v = json!({"soft": v.clone(), "hard": v.clone()});
            }
        }
    }
}

/// What only v1's output needs.
fn v1_service(s: &mut Map<String, Value>) {
    // v1 prints extra hosts `HOST:IP`; v2 `HOST=IP`.
    if let Some(Value::Array(hosts)) = s.get_mut("extra_hosts") {
        for h in hosts.iter_mut() {
            if let Some(t) = h.as_str() {
                if let Some((host, ip)) = t.split_once(':') {
                    *h = json!(format!("{host}={ip}"));
                }
            }
        }
    }
    // v2 keeps these lists free of duplicates when files merge; v1 appends.
    for key in UNIQUE_LISTS {
        if let Some(Value::Array(items)) = s.get_mut(*key) {
            let mut seen = Vec::new();
            items.retain(|i| {
                let new = !seen.contains(i);
                seen.push(i.clone());
                new
            });
        }
    }
    // v2 adds the dependencies that links and `network_mode: service:X` imply.
    let mut implied: Vec<String> = Vec::new();
    if let Some(Value::Array(links)) = s.get("links") {
        for l in links.iter().filter_map(Value::as_str) {
            implied.push(l.split(':').next().unwrap_or(l).to_string());
        }
    }
    if let Some(m) = s.get("network_mode").and_then(Value::as_str) {
        if let Some(svc) = m.strip_prefix("service:") {
            implied.push(svc.to_string());
        }
    }
    if !implied.is_empty() {
        let deps = s.entry("depends_on").or_insert_with(|| json!({}));
        if let Value::Object(map) = as_map(deps) {
            for d in implied {
                map.entry(d)
                    .or_insert_with(|| json!({"condition": "service_started"}));
            }
        }
    }
}

/// `depends_on` as a map: a list names services started before this one.
fn as_map(deps: &mut Value) -> &mut Value {
    if let Value::Array(list) = deps {
        let map: Map<String, Value> = list
            .iter()
            .filter_map(Value::as_str)
            .map(|d| (d.to_string(), json!({"condition": "service_started"})))
            .collect();
        *deps = Value::Object(map);
    }
    deps
}

/// `depends_on` as a map of conditions, without v2's defaults (`required: true`,
/// `restart: false`), which v1 does not know.
fn depends_on(s: &mut Map<String, Value>) {
    let Some(deps) = s.get_mut("depends_on") else {
        return;
    };
    if let Value::Object(map) = as_map(deps) {
        for d in map.values_mut() {
            if let Some(m) = d.as_object_mut() {
                if m.get("required") == Some(&Value::Bool(true)) {
                    m.remove("required");
                }
            }
        }
    }
}

/// A port in the long form with v2's defaults (`mode: ingress`, `protocol: tcp`); v1
/// prints some ports as `[IP:]PUBLISHED:TARGET[/PROTO]` strings.
fn port(p: &Value) -> Value {
    let mut m = match p {
        Value::Object(m) => m.clone(),
        Value::String(s) => {
            let (spec, proto) = s.split_once('/').unwrap_or((s, "tcp"));
            let parts: Vec<&str> = spec.rsplitn(3, ':').collect();
            let mut m = Map::new();
            m.insert("target".into(), json!(parts[0]));
            if let Some(p) = parts.get(1) {
                m.insert("published".into(), json!(p));
            }
            if let Some(ip) = parts.get(2) {
                m.insert("host_ip".into(), json!(ip));
            }
            m.insert("protocol".into(), json!(proto));
            m
        }
        other => return other.clone(),
    };
    m.entry("mode").or_insert_with(|| json!("ingress"));
    m.entry("protocol").or_insert_with(|| json!("tcp"));
    Value::Object(m)
}

/// A service volume in the long form; v1 prints the short ones as `SRC:DST:MODE`.
fn volume(v: &Value) -> Value {
    let Value::String(s) = v else {
        return v.clone();
    };
    let parts: Vec<&str> = s.split(':').collect();
    let mut m = Map::new();
    let (source, target, mode) = match parts.as_slice() {
        [t] => (None, *t, None),
        [src, t] => (Some(*src), *t, None),
        [src, t, mode, ..] => (Some(*src), *t, Some(*mode)),
        [] => return v.clone(),
    };
    let bind = source.is_some_and(|s| s.starts_with('/') || s.starts_with('.'));
    m.insert("type".into(), json!(if bind { "bind" } else { "volume" }));
    if let Some(src) = source {
        m.insert("source".into(), json!(src));
    }
    m.insert("target".into(), json!(target));
    if mode.is_some_and(|m| m.split(',').any(|o| o == "ro")) {
        m.insert("read_only".into(), json!(true));
    }
    Value::Object(m)
}

/// A secret or config reference in the long form, without v2's default target
/// (`/run/secrets/NAME`, `/NAME`); a mode as its number (v1 prints 0400 as 256).
fn file_ref(r: &Value, default_dir: &str) -> Value {
    let mut m = match r {
        Value::String(name) => {
            let mut m = Map::new();
            m.insert("source".into(), json!(name));
            m
        }
        Value::Object(m) => m.clone(),
        other => return other.clone(),
    };
    let source = m.get("source").and_then(Value::as_str).unwrap_or_default();
    let default_target = format!("{default_dir}{source}");
    if m.get("target").and_then(Value::as_str) == Some(default_target.as_str()) {
        m.remove("target");
    }
    if let Some(Value::String(mode)) = m.get("mode") {
        if let Ok(n) = u32::from_str_radix(mode.trim_start_matches("0o"), 8) {
            m.insert("mode".into(), json!(n));
        }
    }
    Value::Object(m)
}

/// Everything else that is form, not meaning: numbers and booleans as strings (v1 and v2
/// quote differently), `false` left out (v2 omits it), empty maps left out (v2's
/// `bind: {}`), sizes in bytes.
fn tidy(v: &mut Value, key: &str) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| *x != Value::Bool(false));
            for (k, x) in m.iter_mut() {
                tidy(x, k);
            }
            m.retain(|_, x| !matches!(x, Value::Object(o) if o.is_empty()));
        }
        Value::Array(items) => {
            for x in items.iter_mut() {
                tidy(x, "");
            }
        }
        Value::Number(n) => *v = json!(n.to_string()),
        Value::Bool(b) => *v = json!(b.to_string()),
        _ => {}
    }
    if SIZE_KEYS.contains(&key) {
        if let Some(bytes) = v.as_str().and_then(size_in_bytes) {
            *v = json!(bytes.to_string());
        }
    }
}

/// go-units' RAMInBytes: `64m` and `50M` are MiB.
fn size_in_bytes(s: &str) -> Option<u64> {
    let s = s.trim().to_ascii_lowercase();
    let digits = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &s[digits.len()..];
    let n: f64 = digits.parse().ok()?;
    let mult: u64 = match unit.trim_end_matches('b').trim_end_matches('i') {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        "t" => 1 << 40,
        _ => return None,
    };
    Some((n * mult as f64) as u64)
}

/// A command line split as a POSIX shell would (quotes and backslashes), as v2 does.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for d in chars.by_ref() {
                    if d == '\'' {
                        break;
                    }
                    cur.push(d);
                }
            }
            '"' => {
                in_word = true;
                while let Some(d) = chars.next() {
                    match d {
                        '"' => break,
                        '\\' => {
                            if let Some(e) = chars.next() {
                                cur.push(e);
                            }
                        }
                        _ => cur.push(d),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(e) = chars.next() {
                    cur.push(e);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

/// Where two normalized documents differ, by path (`services.web.ports[0].published`).
pub fn differences(v1: &Value, ours: &Value, path: &str) -> Vec<String> {
    let at = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match (v1, ours) {
        (Value::Object(a), Value::Object(b)) => {
            let mut out = Vec::new();
            for (k, x) in a {
                match b.get(k) {
                    Some(y) => out.extend(differences(x, y, &at(k))),
                    None => out.push(format!("{}: docker-compose has {x}, berth nothing", at(k))),
                }
            }
            for (k, y) in b {
                if !a.contains_key(k) {
                    out.push(format!("{}: berth has {y}, docker-compose nothing", at(k)));
                }
            }
            out
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .flat_map(|(i, (x, y))| differences(x, y, &format!("{path}[{i}]")))
            .collect(),
        (a, b) if a == b => Vec::new(),
        (a, b) => vec![format!("{path}: docker-compose {a}, berth {b}")],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_split_as_a_shell_does() {
        assert_eq!(
            shell_words(r#"sh -c "echo hi && sleep 1" 'a b' c\ d"#),
            ["sh", "-c", "echo hi && sleep 1", "a b", "c d"]
        );
    }

    #[test]
    fn short_forms_become_long() {
        assert_eq!(
            port(&json!("127.0.0.1:8080:8080/udp")),
            json!({"mode": "ingress", "host_ip": "127.0.0.1", "published": "8080", "target": "8080", "protocol": "udp"})
        );
        assert_eq!(
            volume(&json!("data:/var/data:ro")),
            json!({"type": "volume", "source": "data", "target": "/var/data", "read_only": true})
        );
        assert_eq!(size_in_bytes("64m"), Some(64 << 20));
    }
}
