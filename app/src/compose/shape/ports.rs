//! `ports`, and `expose` whose numbers become strings. A short port
//! `[HOST_IP:][HOST_PORT[-END]:]PORT[-END][/PROTOCOL]` becomes one long entry per
//! container port, as Docker's port-spec parser (the one compose-go calls) splits it:
//! - `80` or `80/udp`: container port only, the engine picks a host port;
//! - `8080:80`, `127.0.0.1:8080:80`, `[::1]:8080:80`, `::1:8080:80`, `127.0.0.1::80`;
//! - `8000-8001:80-81`: ranges of the same length pair up, one entry per port;
//! - `4000-4010:80`: one container port published on any free port of the host range;
//! - `80-81`: one entry per container port.

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::{default, error, go_text, index, is_reset, items, string_or_list, wrong_type, Result};
use crate::compose::tree::{join, Node, Origin, Value};

pub(super) fn ports(node: &mut Node, path: &str) -> Result<()> {
    let Value::Seq(list) = &mut node.value else {
        return Err(wrong_type(node, path, "a list"));
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, mut item) in std::mem::take(list).into_iter().enumerate() {
        let item_path = index(path, i);
        if is_reset(&item) {
            out.push(item);
            continue;
        }
        match &item.value {
            Value::Map(_) => {
                long_form(&mut item, &item_path)?;
                out.push(item);
            }
            Value::Int(_) | Value::Str(_) => {
                let spec = go_text(&item).unwrap_or_default();
                let parsed = parse(&spec).map_err(|message| {
                    error(
                        &item,
                        &item_path,
                        format!("invalid port {spec:?}: {message}"),
                    )
                })?;
                out.extend(parsed.into_iter().map(|port| Node {
                    value: port.into_value(&item.at),
                    at: item.at.clone(),
                    tag: item.tag,
                }));
            }
            _ => {
                return Err(wrong_type(
                    &item,
                    &item_path,
                    "a string, a number or a mapping",
                ));
            }
        }
    }
    *list = out;
    Ok(())
}

/// A long entry keeps what it says; `protocol` defaults to tcp and `mode` to ingress,
/// `target` is an integer and `published` a string (it may be a range).
fn long_form(item: &mut Node, path: &str) -> Result<()> {
    default(item, "protocol", Value::Str("tcp".into()));
    default(item, "mode", Value::Str("ingress".into()));
    let Value::Map(m) = &mut item.value else {
        return Ok(());
    };
    if let Some(target) = m.get_mut("target") {
        let target_path = join(path, "target");
        let port = match &target.value {
            Value::Int(n) => u16::try_from(*n).map_err(|_| format!("{n} is out of range")),
            Value::Str(s) => number(s),
            _ => return Err(wrong_type(target, &target_path, "a port number")),
        }
        .map_err(|message| error(target, &target_path, format!("invalid port: {message}")))?;
        target.value = Value::Int(port.into());
    }
    if let Some(published) = m.get_mut("published") {
        if let Value::Int(n) = published.value {
            published.value = Value::Str(n.to_string());
        }
    }
    Ok(())
}

/// One long-form port.
#[derive(Debug, PartialEq)]
struct Port {
    host_ip: String,
    published: Option<String>,
    target: u16,
    protocol: String,
}

impl Port {
    fn into_value(self, at: &Origin) -> Value {
        let node = |v: Value| Node::new(v, at.clone());
        let mut m = BTreeMap::new();
        m.insert("target".to_string(), node(Value::Int(self.target.into())));
        if let Some(published) = self.published {
            m.insert("published".to_string(), node(Value::Str(published)));
        }
        if !self.host_ip.is_empty() {
            m.insert("host_ip".to_string(), node(Value::Str(self.host_ip)));
        }
        m.insert("protocol".to_string(), node(Value::Str(self.protocol)));
        m.insert("mode".to_string(), node(Value::Str("ingress".into())));
        Value::Map(m)
    }
}

/// Parses a short port spec into its entries, in container port order.
fn parse(spec: &str) -> std::result::Result<Vec<Port>, String> {
    let parts: Vec<&str> = spec.split(':').collect();
    let n = parts.len();
    // An IPv6 host address holds colons too: everything before the last two parts is
    // the address, bracketed or not.
    let (ip, host, container) = match n {
        1 => (String::new(), "", parts[0]),
        2 => (String::new(), parts[0], parts[1]),
        _ => (parts[..n - 2].join(":"), parts[n - 2], parts[n - 1]),
    };
    let (container, protocol) = container.split_once('/').unwrap_or((container, ""));
    if container.is_empty() {
        return Err("no container port".into());
    }
    let protocol = match protocol.to_ascii_lowercase().as_str() {
        "" | "tcp" => "tcp",
        "udp" => "udp",
        "sctp" => "sctp",
        _ => {
            return Err(format!(
                "invalid protocol {protocol:?}: expected tcp, udp or sctp"
            ))
        }
    };
    let ip = match ip.strip_prefix('[') {
        Some(bracketed) => bracketed
            .strip_suffix(']')
            .ok_or_else(|| format!("invalid IP address {ip:?}"))?
            .to_string(),
        None => ip,
    };
    if !ip.is_empty() && ip.parse::<IpAddr>().is_err() {
        return Err(format!("invalid IP address {ip:?}"));
    }
    let (start, end) =
        range(container).map_err(|e| format!("invalid container port {container:?}: {e}"))?;
    let host_range = if host.is_empty() {
        None
    } else {
        Some(range(host).map_err(|e| format!("invalid host port {host:?}: {e}"))?)
    };
    if let Some((host_start, host_end)) = host_range {
        // Ranges of different lengths only make sense for one container port, published
        // on any free port of the host range.
        if host_end - host_start != end - start && end != start {
            return Err(format!(
                "container port range {container} and host port range {host} differ in length"
            ));
        }
    }
    let count = end - start + 1;
    Ok((0..count)
        .map(|i| Port {
            host_ip: ip.clone(),
            published: host_range.map(|(host_start, host_end)| {
                if count == 1 && host_start != host_end {
                    format!("{host_start}-{host_end}")
                } else {
                    (host_start + i).to_string()
                }
            }),
            target: (start + i) as u16,
            protocol: protocol.to_string(),
        })
        .collect())
}

/// `80` or `80-90`, as (start, end).
fn range(s: &str) -> std::result::Result<(u32, u32), String> {
    if s.is_empty() {
        return Err("empty".into());
    }
    let (first, last) = s.split_once('-').unwrap_or((s, s));
    let start = number(first)?;
    let end = number(last)?;
    if end < start {
        return Err("the range ends before it starts".into());
    }
    Ok((start.into(), end.into()))
}

fn number(s: &str) -> std::result::Result<u16, String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{s:?} is not a port number"));
    }
    s.parse::<u16>().map_err(|_| format!("{s} is out of range"))
}

/// `expose` (ports or ranges to open without publishing) and `group_add` (group names
/// or ids): lists of strings, numbers written as numbers included.
pub(super) fn strings(node: &mut Node, path: &str) -> Result<()> {
    string_or_list(node, path)?;
    items(node, path, |item, path| match &item.value {
        Value::Str(_) => Ok(()),
        Value::Int(_) => {
            item.value = Value::Str(go_text(item).unwrap_or_default());
            Ok(())
        }
        _ => Err(wrong_type(item, path, "a string or a number")),
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, shape, web_err};
    use super::*;
    use crate::compose::tree::Tag;

    #[test]
    fn short_ports_become_long_entries() {
        check(
            r#"ports:
  - 80
  - "3000"
  - "8080:80"
  - "127.0.0.1:8001:8001"
  - "127.0.0.1::5000"
  - ":9000"
  - "6060:6060/udp"
  - "53/UDP"
  - "9/sctp"
  - "443/"
  - 22:22"#,
            r#"ports:
  - {target: 80, protocol: tcp, mode: ingress}
  - {target: 3000, protocol: tcp, mode: ingress}
  - {target: 80, published: "8080", protocol: tcp, mode: ingress}
  - {target: 8001, published: "8001", host_ip: 127.0.0.1, protocol: tcp, mode: ingress}
  - {target: 5000, host_ip: 127.0.0.1, protocol: tcp, mode: ingress}
  - {target: 9000, protocol: tcp, mode: ingress}
  - {target: 6060, published: "6060", protocol: udp, mode: ingress}
  - {target: 53, protocol: udp, mode: ingress}
  - {target: 9, protocol: sctp, mode: ingress}
  - {target: 443, protocol: tcp, mode: ingress}
  - {target: 22, published: "22", protocol: tcp, mode: ingress}"#,
        );
    }

    #[test]
    fn ranges_pair_up_or_stay_a_dynamic_host_range() {
        check(
            r#"ports:
  - "8000-8001:80-81"
  - "4000-4010:80"
  - "80-81"
  - "9-10/udp"
  - "127.0.0.1:5000-5001:5000-5001"
  - "7000-7000:70""#,
            r#"ports:
  - {target: 80, published: "8000", protocol: tcp, mode: ingress}
  - {target: 81, published: "8001", protocol: tcp, mode: ingress}
  - {target: 80, published: "4000-4010", protocol: tcp, mode: ingress}
  - {target: 80, protocol: tcp, mode: ingress}
  - {target: 81, protocol: tcp, mode: ingress}
  - {target: 9, protocol: udp, mode: ingress}
  - {target: 10, protocol: udp, mode: ingress}
  - {target: 5000, published: "5000", host_ip: 127.0.0.1, protocol: tcp, mode: ingress}
  - {target: 5001, published: "5001", host_ip: 127.0.0.1, protocol: tcp, mode: ingress}
  - {target: 70, published: "7000", protocol: tcp, mode: ingress}"#,
        );
    }

    #[test]
    fn ipv6_host_addresses_with_or_without_brackets() {
        check(
            r#"ports:
  - "[::1]:6001:6001"
  - "::1:6000:6000"
  - "[fe80::1:2]::80/udp"
  - "::ffff:10.0.0.1:81:81""#,
            r#"ports:
  - {target: 6001, published: "6001", host_ip: "::1", protocol: tcp, mode: ingress}
  - {target: 6000, published: "6000", host_ip: "::1", protocol: tcp, mode: ingress}
  - {target: 80, host_ip: "fe80::1:2", protocol: udp, mode: ingress}
  - {target: 81, published: "81", host_ip: "::ffff:10.0.0.1", protocol: tcp, mode: ingress}"#,
        );
    }

    #[test]
    fn long_entries_get_protocol_and_mode_and_typed_ports() {
        check(
            r#"ports:
  - target: 80
    published: 8080
  - target: "443"
    published: "8443-8450"
    host_ip: 127.0.0.1
    protocol: udp
    mode: host
    name: web
    app_protocol: https
    x-note: kept
  - {target: 22}"#,
            r#"ports:
  - {target: 80, published: "8080", protocol: tcp, mode: ingress}
  - target: 443
    published: "8443-8450"
    host_ip: 127.0.0.1
    protocol: udp
    mode: host
    name: web
    app_protocol: https
    x-note: kept
  - {target: 22, protocol: tcp, mode: ingress}"#,
        );
    }

    #[test]
    fn invalid_specs_name_the_entry_and_the_reason() {
        let cases = [
            (
                "ports:\n  - \"127.0.1:8080:80\"",
                "compose.yaml:4: services.web.ports[0]: invalid port \"127.0.1:8080:80\": invalid IP address \"127.0.1\"",
            ),
            (
                "ports:\n  - 80\n  - \"8080:http\"",
                "compose.yaml:5: services.web.ports[1]: invalid port \"8080:http\": invalid container port \"http\": \"http\" is not a port number",
            ),
            (
                "ports:\n  - \"x:80\"",
                "compose.yaml:4: services.web.ports[0]: invalid port \"x:80\": invalid host port \"x\": \"x\" is not a port number",
            ),
            (
                "ports:\n  - \"8000:80-81\"",
                "compose.yaml:4: services.web.ports[0]: invalid port \"8000:80-81\": container port range 80-81 and host port range 8000 differ in length",
            ),
            (
                "ports:\n  - \"8000-8002:80-81\"",
                "compose.yaml:4: services.web.ports[0]: invalid port \"8000-8002:80-81\": container port range 80-81 and host port range 8000-8002 differ in length",
            ),
            (
                "ports:\n  - \"80/icmp\"",
                "compose.yaml:4: services.web.ports[0]: invalid port \"80/icmp\": invalid protocol \"icmp\": expected tcp, udp or sctp",
            ),
            (
                "ports:\n  - 70000",
                "compose.yaml:4: services.web.ports[0]: invalid port \"70000\": invalid container port \"70000\": 70000 is out of range",
            ),
            (
                "ports:\n  - \"81-80\"",
                "compose.yaml:4: services.web.ports[0]: invalid port \"81-80\": invalid container port \"81-80\": the range ends before it starts",
            ),
            (
                "ports:\n  - \"80-81-82\"",
                "compose.yaml:4: services.web.ports[0]: invalid port \"80-81-82\": invalid container port \"80-81-82\": \"81-82\" is not a port number",
            ),
            (
                "ports:\n  - \"8080:\"",
                "compose.yaml:4: services.web.ports[0]: invalid port \"8080:\": no container port",
            ),
            (
                "ports:\n  - \"[::1:80:80\"",
                "compose.yaml:4: services.web.ports[0]: invalid port \"[::1:80:80\": invalid IP address \"[::1\"",
            ),
            (
                "ports:\n  - \"\"",
                "compose.yaml:4: services.web.ports[0]: invalid port \"\": no container port",
            ),
            (
                "ports: \"80:80\"",
                "compose.yaml:3: services.web.ports: must be a list, not a string",
            ),
            (
                "ports:\n  - true",
                "compose.yaml:4: services.web.ports[0]: must be a string, a number or a mapping, not a boolean",
            ),
            (
                "ports:\n  - target: http",
                "compose.yaml:4: services.web.ports[0].target: invalid port: \"http\" is not a port number",
            ),
            (
                "ports:\n  - target: 65536",
                "compose.yaml:4: services.web.ports[0].target: invalid port: 65536 is out of range",
            ),
        ];
        for (body, message) in cases {
            assert_eq!(web_err(body), message, "{body}");
        }
    }

    #[test]
    fn entries_keep_the_origin_and_tag_of_what_they_came_from() {
        let root = shape(
            "services:\n  web:\n    ports: !override\n      - 80\n      - \"8000-8001:80-81\"\n  db:\n    ports: !reset [\"nonsense\"]\n",
        )
        .unwrap();
        let ports = root
            .get("services")
            .unwrap()
            .get("web")
            .unwrap()
            .get("ports")
            .unwrap();
        assert_eq!(ports.tag, Some(Tag::Override));
        // A block list starts on the line of its first item.
        assert_eq!(ports.at.line, 4);
        let entries = ports.as_seq().unwrap();
        let lines: Vec<usize> = entries.iter().map(|e| e.at.line).collect();
        assert_eq!(lines, [4, 5, 5]);
        assert_eq!(entries[2].get("target").unwrap().at.line, 5);
        assert!(entries.iter().all(|e| e.tag.is_none()));
        // `!reset` is dropped by the merge whatever it holds.
        let db = root
            .get("services")
            .unwrap()
            .get("db")
            .unwrap()
            .get("ports")
            .unwrap();
        assert_eq!(db.tag, Some(Tag::Reset));
        assert_eq!(db.as_seq().unwrap()[0].as_str(), Some("nonsense"));
    }

    #[test]
    fn expose_is_a_list_of_strings() {
        check(
            "expose:\n  - 80\n  - \"90-91\"\n  - 3000/udp",
            "expose: [\"80\", \"90-91\", 3000/udp]",
        );
        check("expose: \"80\"", "expose: [\"80\"]");
        assert_eq!(
            web_err("expose:\n  - [80]"),
            "compose.yaml:4: services.web.expose[0]: must be a string or a number, not a list"
        );
    }

    #[test]
    fn parser_orders_by_container_port() {
        let ports = parse("98-101").unwrap();
        let targets: Vec<u16> = ports.iter().map(|p| p.target).collect();
        assert_eq!(targets, [98, 99, 100, 101]);
        assert!(parse("0").is_ok());
        assert!(parse("080").is_ok_and(|p| p[0].target == 80));
        assert!(parse("+80").is_err());
        assert!(parse("01.2.3.4:80:80").is_err(), "octal-looking IPv4");
        assert!(
            parse("fe80::1%eth0:80:80").is_err(),
            "zoned IPv6, as Go refuses"
        );
    }
}
