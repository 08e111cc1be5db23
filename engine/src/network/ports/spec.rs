//! `-p/--publish` and `--expose` as Docker reads them, into Docker's shapes: the
//! container-side key `80/tcp` and a list of `{HostIp, HostPort}` bindings per key
//! (HostConfig.PortBindings). Pure functions: nothing here touches the host.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

/// One host side of a published port. `host_port` is empty (any free port), a number,
/// or a range `8000-8010` (the first free one in it).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PortBinding {
    pub host_ip: String,
    pub host_port: String,
}

/// `HostConfig.PortBindings`: `80/tcp` -> where it is published.
pub type PortMap = BTreeMap<String, Vec<PortBinding>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Proto {
    Tcp,
    Udp,
}

impl Proto {
    pub fn as_str(self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        }
    }
}

/// Split a key such as `80/tcp` (or `80`, meaning tcp) into port and protocol.
pub fn parse_key(key: &str) -> Result<(u16, Proto), String> {
    let (port, proto) = key.split_once('/').unwrap_or((key, "tcp"));
    let proto = match proto.to_ascii_lowercase().as_str() {
        "tcp" => Proto::Tcp,
        "udp" => Proto::Udp,
        other => {
            return Err(format!(
                "invalid proto: {other} (berth publishes tcp and udp)"
            ))
        }
    };
    Ok((parse_port(port)?, proto))
}

fn parse_port(s: &str) -> Result<u16, String> {
    match s.parse::<u16>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(format!("invalid port {s:?}: ports are 1-65535")),
    }
}

/// A port or an inclusive range `a-b`.
fn parse_range(s: &str) -> Result<(u16, u16), String> {
    match s.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (parse_port(a)?, parse_port(b)?);
            if a > b {
                return Err(format!("invalid range {s:?}: the end is below the start"));
            }
            Ok((a, b))
        }
        None => {
            let p = parse_port(s)?;
            Ok((p, p))
        }
    }
}

/// One `-p` value: `[IP:][HOSTPORT:]CONTAINERPORT[/PROTO]`, each port possibly a
/// range. Adds its bindings to `map`.
pub fn parse_publish(spec: &str, map: &mut PortMap) -> Result<(), String> {
    let fail = |why: String| format!("invalid -p/--publish {spec:?}: {why}");
    if spec.starts_with('[') {
        return Err(fail(
            "IPv6 host addresses are not supported (berth publishes on IPv4)".into(),
        ));
    }
    let (addr_ports, proto) = match spec.rsplit_once('/') {
        Some((a, p)) => (a, p),
        None => (spec, "tcp"),
    };
    let parts: Vec<&str> = addr_ports.split(':').collect();
    let (ip, host, container) = match parts.as_slice() {
        [c] => ("", "", *c),
        [h, c] => ("", *h, *c),
        [ip, h, c] => (*ip, *h, *c),
        _ => {
            return Err(fail(
                "expected [IP:][HOSTPORT:]CONTAINERPORT[/PROTO]".into(),
            ))
        }
    };
    if !ip.is_empty() {
        ip.parse::<Ipv4Addr>()
            .map_err(|_| fail(format!("{ip:?} is not an IPv4 address")))?;
    }
    let (_, proto) = parse_key(&format!("1/{proto}")).map_err(fail)?;
    if container.is_empty() {
        return Err(fail("no container port".into()));
    }
    let (c0, c1) = parse_range(container).map_err(fail)?;
    let host_range = if host.is_empty() {
        None
    } else {
        Some(parse_range(host).map_err(fail)?)
    };
    let n = c1 - c0;
    for (i, cport) in (c0..=c1).enumerate() {
        let host_port = match host_range {
            None => String::new(),
            // One container port, a host range: any free port of the range.
            Some((h0, h1)) if n == 0 && h0 != h1 => format!("{h0}-{h1}"),
            Some((h0, h1)) if h1 - h0 == n => (h0 + i as u16).to_string(),
            Some(_) => {
                return Err(fail(
                    "the host and container port ranges must be the same length".into(),
                ))
            }
        };
        let key = format!("{cport}/{}", proto.as_str());
        let b = PortBinding {
            host_ip: ip.to_string(),
            host_port,
        };
        let list = map.entry(key).or_default();
        if !list.contains(&b) {
            list.push(b);
        }
    }
    Ok(())
}

/// `--expose PORT[/PROTO]` or a range: the keys it adds to ExposedPorts.
pub fn parse_expose(spec: &str) -> Result<Vec<String>, String> {
    let fail = |why: String| format!("invalid --expose {spec:?}: {why}");
    let (ports, proto) = spec.split_once('/').unwrap_or((spec, "tcp"));
    let (_, proto) = parse_key(&format!("1/{proto}")).map_err(fail)?;
    let (a, b) = parse_range(ports).map_err(fail)?;
    Ok((a..=b).map(|p| format!("{p}/{}", proto.as_str())).collect())
}

/// One published port as it is in force: the host side resolved to an address and a
/// port, the container side to its address on the network.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Mapping {
    pub proto: Proto,
    /// 0.0.0.0: every address of the host.
    pub host_ip: Ipv4Addr,
    pub host_port: u16,
    pub container_port: u16,
}

/// Docker's PORTS column: `0.0.0.0:8080->80/tcp, 443/tcp`, with runs of consecutive
/// ports folded into ranges (`0.0.0.0:8000-8001->80-81/tcp`). `exposed` keys that are
/// not published appear bare.
pub fn ports_column(mappings: &[Mapping], exposed: &[String]) -> String {
    let mut ms = mappings.to_vec();
    ms.sort_by_key(|m| (m.host_ip, m.proto, m.container_port, m.host_port));
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < ms.len() {
        let start = &ms[i];
        let mut j = i;
        while j + 1 < ms.len()
            && ms[j + 1].host_ip == start.host_ip
            && ms[j + 1].proto == start.proto
            && ms[j + 1].container_port == ms[j].container_port + 1
            && ms[j + 1].host_port == ms[j].host_port + 1
        {
            j += 1;
        }
        let end = &ms[j];
        let span = |a: u16, b: u16| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        };
        out.push(format!(
            "{}:{}->{}/{}",
            start.host_ip,
            span(start.host_port, end.host_port),
            span(start.container_port, end.container_port),
            start.proto.as_str()
        ));
        i = j + 1;
    }
    let mut bare: Vec<(Proto, u16)> = exposed
        .iter()
        .filter_map(|k| parse_key(k).ok().map(|(p, pr)| (pr, p)))
        .filter(|(pr, p)| !ms.iter().any(|m| m.proto == *pr && m.container_port == *p))
        .collect();
    bare.sort();
    bare.dedup();
    for (pr, p) in bare {
        out.push(format!("{p}/{}", pr.as_str()));
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(specs: &[&str]) -> Result<PortMap, String> {
        let mut m = PortMap::new();
        for s in specs {
            parse_publish(s, &mut m)?;
        }
        Ok(m)
    }

    fn b(ip: &str, port: &str) -> PortBinding {
        PortBinding {
            host_ip: ip.into(),
            host_port: port.into(),
        }
    }

    #[test]
    fn every_form_docker_accepts() {
        let m = parse(&["80", "8080:8080/udp", "127.0.0.1:9000:90", "127.0.0.1::91"]).unwrap();
        assert_eq!(m["80/tcp"], vec![b("", "")]);
        assert_eq!(m["8080/udp"], vec![b("", "8080")]);
        assert_eq!(m["90/tcp"], vec![b("127.0.0.1", "9000")]);
        assert_eq!(m["91/tcp"], vec![b("127.0.0.1", "")]);
    }

    #[test]
    fn ranges_map_pairwise_or_pick_from_a_host_range() {
        let m = parse(&["8000-8002:80-82"]).unwrap();
        assert_eq!(m["81/tcp"], vec![b("", "8001")]);
        assert_eq!(m.len(), 3);
        let m = parse(&["8000-8010:80"]).unwrap();
        assert_eq!(m["80/tcp"], vec![b("", "8000-8010")]);
        assert!(parse(&["8000-8001:80-82"])
            .unwrap_err()
            .contains("same length"));
    }

    #[test]
    fn bad_values_are_named() {
        for bad in [
            "",
            "0",
            "70000",
            "a:80",
            "1.2.3:80:80",
            "80/sctp",
            "[::1]:80:80",
            "9-8:80",
            "1:2:3:4",
        ] {
            let e = parse(&[bad]).unwrap_err();
            assert!(e.contains("-p/--publish"), "{bad}: {e}");
        }
        assert!(parse_expose("80-81/udp").unwrap() == vec!["80/udp", "81/udp"]);
        assert!(parse_expose("x").unwrap_err().contains("--expose"));
    }

    #[test]
    fn the_ports_column_folds_runs_and_lists_bare_exposed_ports() {
        let m = |p: u16, h: u16| Mapping {
            proto: Proto::Tcp,
            host_ip: Ipv4Addr::UNSPECIFIED,
            host_port: h,
            container_port: p,
        };
        let col = ports_column(
            &[m(80, 8000), m(81, 8001), m(90, 5000)],
            &["80/tcp".into(), "443/tcp".into(), "53/udp".into()],
        );
        assert_eq!(
            col,
            "0.0.0.0:8000-8001->80-81/tcp, 0.0.0.0:5000->90/tcp, 443/tcp, 53/udp"
        );
    }
}
