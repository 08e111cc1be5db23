//! `node inspect --pretty`, and what it shares with `service inspect --pretty`
//! (service_pretty.rs): the text Docker's pretty templates make, written out by hand
//! (tabs, trailing spaces and blank lines where the templates leave them, so the output
//! is Docker's to the byte), with Go's ways of printing durations, times and lists.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use bollard::models as m;

use super::pretty;
use crate::format::human::bytes_size;

/// Go's `time.Duration.String()`: `5s`, `1m30s`, `1.5s`, `500ms`, `4ns`, `0s`.
pub fn go_duration(ns: i64) -> String {
    if ns == 0 {
        return "0s".into();
    }
    let neg = ns < 0;
    let u = ns.unsigned_abs();
    let sign = if neg { "-" } else { "" };
    if u < 1_000_000_000 {
        let (unit, scale) = match u {
            0..=999 => ("ns", 1),
            1_000..=999_999 => ("µs", 1_000),
            _ => ("ms", 1_000_000),
        };
        return format!("{sign}{}{unit}", fraction(u, scale));
    }
    let (h, rest) = (u / 3_600_000_000_000, u % 3_600_000_000_000);
    let (min, rest) = (rest / 60_000_000_000, rest % 60_000_000_000);
    let secs = fraction(rest, 1_000_000_000);
    if h > 0 {
        format!("{sign}{h}h{min}m{secs}s")
    } else if min > 0 {
        format!("{sign}{min}m{secs}s")
    } else {
        format!("{sign}{secs}s")
    }
}

/// `value / scale` with the fraction's trailing zeros left out.
fn fraction(value: u64, scale: u64) -> String {
    let whole = value / scale;
    let frac = value % scale;
    if frac == 0 {
        return whole.to_string();
    }
    let digits = scale.to_string().len() - 1;
    let f = format!("{frac:0digits$}");
    format!("{whole}.{}", f.trim_end_matches('0'))
}

/// Go's `time.Time.String()` through `PrettyPrint` (which lower-cases all but the
/// first letter): `2026-01-01 12:00:00.5 +0000 utc`.
fn pretty_time(rfc3339: &str) -> String {
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(rfc3339) else {
        return pretty(rfc3339);
    };
    let nanos = t.timestamp_subsec_nanos();
    let frac = if nanos == 0 {
        String::new()
    } else {
        format!(".{}", format!("{nanos:09}").trim_end_matches('0'))
    };
    let offset = t.format("%z").to_string();
    let zone = if t.offset().local_minus_utc() == 0 {
        "UTC".to_string()
    } else {
        offset.clone()
    };
    pretty(&format!(
        "{}{frac} {offset} {zone}",
        t.format("%Y-%m-%d %H:%M:%S")
    ))
}

pub fn sorted(map: Option<&HashMap<String, String>>) -> BTreeMap<String, String> {
    map.map(|m| m.clone().into_iter().collect())
        .unwrap_or_default()
}

/// A Go `[]string` as `{{ . }}` prints it: `[a b]`.
pub fn go_list(v: &[String]) -> String {
    format!("[{}]", v.join(" "))
}

/// `node inspect --pretty` for one node (without the newline that ends it).
pub fn node_pretty(n: &m::Node) -> String {
    let spec = n.spec.clone().unwrap_or_default();
    let desc = n.description.clone().unwrap_or_default();
    let status = n.status.clone().unwrap_or_default();
    let mut o = String::new();
    let _ = write!(o, "ID:\t\t\t{}", n.id.clone().unwrap_or_default());
    if let Some(name) = spec.name.as_deref().filter(|s| !s.is_empty()) {
        let _ = write!(o, "\nName:\t\t\t{name}");
    }
    let labels = sorted(spec.labels.as_ref());
    if !labels.is_empty() {
        o.push_str("\nLabels:");
        for (k, v) in &labels {
            let _ = write!(
                o,
                "\n - {k}{}",
                if v.is_empty() {
                    String::new()
                } else {
                    format!("={v}")
                }
            );
        }
    }
    let _ = write!(
        o,
        "\nHostname:              \t{}",
        desc.hostname.clone().unwrap_or_default()
    );
    let _ = write!(
        o,
        "\nJoined at:             \t{}",
        pretty_time(n.created_at.as_deref().unwrap_or_default())
    );
    let _ = write!(
        o,
        "\nStatus:\n State:\t\t\t{}",
        pretty(&status.state.map(|s| s.to_string()).unwrap_or_default())
    );
    if let Some(msg) = status.message.as_deref().filter(|s| !s.is_empty()) {
        let _ = write!(o, "\n Message:              \t{}", pretty(msg));
    }
    let _ = write!(
        o,
        "\n Availability:         \t{}",
        pretty(&spec.availability.map(|a| a.to_string()).unwrap_or_default())
    );
    if let Some(addr) = status.addr.as_deref().filter(|s| !s.is_empty()) {
        let _ = write!(o, "\n Address:\t\t{addr}");
    }
    if let Some(ms) = &n.manager_status {
        let _ = write!(
            o,
            "\nManager Status:\n Address:\t\t{}\n Raft Status:\t\t{}\n Leader:\t\t{}",
            ms.addr.clone().unwrap_or_default(),
            pretty(&ms.reachability.map(|r| r.to_string()).unwrap_or_default()),
            if ms.leader == Some(true) { "Yes" } else { "No" }
        );
    }
    let platform = desc.platform.clone().unwrap_or_default();
    let _ = write!(
        o,
        "\nPlatform:\n Operating System:\t{}\n Architecture:\t\t{}",
        platform.os.unwrap_or_default(),
        platform.architecture.unwrap_or_default()
    );
    let res = desc.resources.clone().unwrap_or_default();
    let memory = res
        .memory_bytes
        .filter(|b| *b != 0)
        .map(|b| bytes_size(b.max(0) as u64))
        .unwrap_or_default();
    let _ = write!(
        o,
        "\nResources:\n CPUs:\t\t\t{}\n Memory:\t\t{memory}",
        res.nano_cpus.unwrap_or(0) / 1_000_000_000
    );
    let engine = desc.engine.clone().unwrap_or_default();
    let plugins = engine.plugins.clone().unwrap_or_default();
    if !plugins.is_empty() {
        let mut by_type: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for p in plugins {
            by_type
                .entry(p.typ.unwrap_or_default())
                .or_default()
                .push(p.name.unwrap_or_default());
        }
        o.push_str("\nPlugins:");
        for (k, v) in by_type {
            let _ = write!(o, "\n {k}:\t\t{}", v.join(", "));
        }
    }
    let _ = write!(
        o,
        "\nEngine Version:\t\t{}",
        engine.engine_version.unwrap_or_default()
    );
    let engine_labels = sorted(engine.labels.as_ref());
    if !engine_labels.is_empty() {
        o.push_str("\nEngine Labels:");
        for (k, v) in &engine_labels {
            let _ = write!(
                o,
                "\n - {k}{}",
                if v.is_empty() {
                    String::new()
                } else {
                    format!("={v}")
                }
            );
        }
    }
    // A real Swarm's nodes carry their TLS identity (Berth's own has none): Docker's
    // template prints the trust root's PEM as it is, then the issuer's two fields as
    // the API's base64.
    if let Some(tls) = desc
        .tls_info
        .as_ref()
        .filter(|t| **t != m::TlsInfo::default())
    {
        let _ = write!(
            o,
            "\nTLS Info:\n TrustRoot:\n{}\n Issuer Subject:\t{}\n Issuer Public Key:\t{}",
            tls.trust_root.as_deref().unwrap_or_default(),
            tls.cert_issuer_subject.as_deref().unwrap_or_default(),
            tls.cert_issuer_public_key.as_deref().unwrap_or_default()
        );
    }
    o
}
