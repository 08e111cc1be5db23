//! The forms' fields as the typed values the engine interface takes: the run form as a
//! `ContainerCreateBody` (Docker's `run -d` would send the same), the network form as a
//! `NetworkCreateRequest`, the volume form as a `VolumeCreateRequest`. A mistake is named
//! by its field before anything is asked of the backend; what only the engine can judge
//! (an image that does not exist, a subnet in use) comes back as its error.

use std::collections::HashMap;

use bollard::models as m;

use super::ops::Op;
use super::state::split_words;

/// A form's fields by label: the text of one (trimmed), and its non-empty lines.
pub trait Fields {
    fn value(&self, label: &str) -> String;
    fn lines(&self, label: &str) -> Vec<String> {
        self.value(label)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// `-p`'s syntax: `[IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]`, ports or equal ranges, an
/// IPv6 address in brackets. Adds the bindings to `map` and their ports to `exposed`.
fn publish(spec: &str, map: &mut m::PortMap, exposed: &mut Vec<String>) -> Result<(), String> {
    let bad = |why: &str| format!("Ports: {spec:?} {why}");
    let (addr, proto) = match spec.rsplit_once('/') {
        Some((a, p)) if matches!(p, "tcp" | "udp" | "sctp") => (a, p),
        Some(_) => return Err(bad("has a protocol other than tcp, udp or sctp")),
        None => (spec, "tcp"),
    };
    // The host IP may hold colons itself (IPv6, bracketed): split from the right.
    let mut parts: Vec<&str> = addr.rsplitn(3, ':').collect();
    parts.reverse();
    let (ip, host, inside) = match parts.as_slice() {
        [inside] => ("", "", *inside),
        [host, inside] => ("", *host, *inside),
        [ip, host, inside] => (
            ip.trim_start_matches('[').trim_end_matches(']'),
            *host,
            *inside,
        ),
        _ => return Err(bad("is not [IP:][HOST:]PORT")),
    };
    let range = |r: &str| -> Result<(u16, u16), String> {
        let (a, b) = r.split_once('-').unwrap_or((r, r));
        let a: u16 = a
            .parse()
            .map_err(|_| bad("has a port that is not a number"))?;
        let b: u16 = b
            .parse()
            .map_err(|_| bad("has a port that is not a number"))?;
        if a == 0 || b < a {
            return Err(bad("has an empty or zero port range"));
        }
        Ok((a, b))
    };
    let (lo, hi) = range(inside)?;
    let host = if host.is_empty() {
        None
    } else {
        let (hlo, hhi) = range(host)?;
        if hhi - hlo != hi - lo && hlo != hhi {
            return Err(bad("maps ranges of different lengths"));
        }
        Some((hlo, hhi))
    };
    for (i, port) in (lo..=hi).enumerate() {
        let key = format!("{port}/{proto}");
        let host_port = match host {
            None => String::new(),
            // One host port for a range: Docker picks one of the range for each.
            Some((h, hh)) if h == hh => h.to_string(),
            Some((h, _)) => (h + i as u16).to_string(),
        };
        map.entry(key.clone())
            .or_insert_with(|| Some(Vec::new()))
            .get_or_insert_with(Vec::new)
            .push(m::PortBinding {
                host_ip: Some(ip.to_string()),
                host_port: Some(host_port),
            });
        if !exposed.contains(&key) {
            exposed.push(key);
        }
    }
    Ok(())
}

/// `--restart`'s syntax as Docker's restart policy.
fn restart_policy(text: &str) -> Result<m::RestartPolicy, String> {
    use m::RestartPolicyNameEnum as N;
    let bad = || format!("Restart: {text:?} is not no, on-failure[:N], always or unless-stopped");
    let (name, count) = match text.split_once(':') {
        Some((n, c)) => (n, Some(c.parse::<i64>().map_err(|_| bad())?)),
        None => (text, None),
    };
    let name = match name {
        "no" => N::NO,
        "always" => N::ALWAYS,
        "unless-stopped" => N::UNLESS_STOPPED,
        "on-failure" => N::ON_FAILURE,
        _ => return Err(bad()),
    };
    if count.is_some() && name != N::ON_FAILURE {
        return Err(bad());
    }
    Ok(m::RestartPolicy {
        name: Some(name),
        maximum_retry_count: count,
    })
}

/// `key=value` lines as a label map.
fn labels(lines: Vec<String>) -> Result<Option<HashMap<String, String>>, String> {
    let mut out = HashMap::new();
    for l in lines {
        let (k, v) = l.split_once('=').unwrap_or((l.as_str(), ""));
        if k.trim().is_empty() {
            return Err(format!("Labels: {l:?} has no key"));
        }
        out.insert(k.trim().to_string(), v.trim().to_string());
    }
    Ok((!out.is_empty()).then_some(out))
}

/// The run form: `run -d` of its image with its fields.
pub fn run(f: &impl Fields) -> Result<Op, String> {
    let name = f.value("Name");
    let name = if name.is_empty() {
        None
    } else {
        if name.chars().count() < 2
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        {
            return Err(format!(
                "Name: {name:?} must be 2 or more of [a-zA-Z0-9_.-]"
            ));
        }
        Some(name)
    };
    let mut ports = m::PortMap::new();
    let mut exposed = Vec::new();
    for p in split_words(&f.value("Ports")) {
        publish(&p, &mut ports, &mut exposed)?;
    }
    let mut binds = Vec::new();
    for v in f.lines("Volumes") {
        if !v.contains(':') {
            return Err(format!("Volumes: {v:?} needs SOURCE:DESTINATION"));
        }
        binds.push(v);
    }
    let memory = match f.value("Memory") {
        m if m.is_empty() => None,
        m => Some(
            crate::format::size::parse_size(&m)
                .ok()
                .filter(|b| *b > 0)
                .ok_or_else(|| format!("Memory: {m:?} is not a size (e.g. 256m)"))?,
        ),
    };
    let nano_cpus = match f.value("CPUs") {
        c if c.is_empty() => None,
        c => match c.parse::<f64>() {
            Ok(n) if n > 0.0 => Some((n * 1e9).round() as i64),
            _ => return Err(format!("CPUs: {c:?} is not a positive number")),
        },
    };
    let restart = match f.value("Restart") {
        r if r.is_empty() => None,
        r => Some(restart_policy(&r)?),
    };
    let image = f.value("Image");
    if image.is_empty() {
        return Err("Image: required".into());
    }
    let cmd = split_words(&f.value("Command"));
    let network = f.value("Network");
    let env = f.lines("Env");
    let body = m::ContainerCreateBody {
        image: Some(image),
        cmd: (!cmd.is_empty()).then_some(cmd),
        env: (!env.is_empty()).then_some(env),
        exposed_ports: (!exposed.is_empty()).then_some(exposed),
        // Detached: nothing attaches (run -d).
        attach_stdin: Some(false),
        attach_stdout: Some(false),
        attach_stderr: Some(false),
        host_config: Some(m::HostConfig {
            port_bindings: (!ports.is_empty()).then_some(ports),
            binds: (!binds.is_empty()).then_some(binds),
            memory,
            nano_cpus,
            restart_policy: restart,
            network_mode: (!network.is_empty()).then_some(network),
            ..Default::default()
        }),
        ..Default::default()
    };
    Ok(Op::Run {
        name,
        body: Box::new(body),
    })
}

/// The network form: a bridge network.
pub fn network(f: &impl Fields) -> Result<Op, String> {
    let name = f.value("Name");
    if name.is_empty() {
        return Err("Name: required".into());
    }
    let internal = yes(&f.value("Internal"), "Internal")?;
    let (subnet, gateway) = (f.value("Subnet"), f.value("Gateway"));
    if subnet.is_empty() && !gateway.is_empty() {
        return Err("Gateway: needs a Subnet".into());
    }
    let ipam = (!subnet.is_empty()).then(|| m::Ipam {
        config: Some(vec![m::IpamConfig {
            subnet: Some(subnet),
            gateway: (!gateway.is_empty()).then_some(gateway),
            ..Default::default()
        }]),
        ..Default::default()
    });
    Ok(Op::CreateNetwork(Box::new(m::NetworkCreateRequest {
        name,
        driver: Some("bridge".into()),
        internal: Some(internal),
        ipam,
        labels: labels(f.lines("Labels"))?,
        ..Default::default()
    })))
}

/// The volume form: a local volume, named or not.
pub fn volume(f: &impl Fields) -> Result<Op, String> {
    let name = f.value("Name");
    Ok(Op::CreateVolume(Box::new(m::VolumeCreateRequest {
        name: (!name.is_empty()).then_some(name),
        driver: Some("local".into()),
        labels: labels(f.lines("Labels"))?,
        ..Default::default()
    })))
}

/// A yes/no field.
fn yes(value: &str, label: &str) -> Result<bool, String> {
    match value.to_lowercase().as_str() {
        "" | "no" | "n" | "false" => Ok(false),
        "yes" | "y" | "true" => Ok(true),
        other => Err(format!("{label}: {other:?} is not yes or no")),
    }
}

/// The build form: the context must be a directory; tags must be references.
pub fn build(f: &impl Fields) -> Result<Op, String> {
    let context = f.value("Context");
    if !std::path::Path::new(&context).is_dir() {
        return Err(format!("Context: {context:?} is not a directory"));
    }
    let tags: Vec<String> = f
        .value("Tags")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    for t in &tags {
        berth_engine::image::Reference::parse(t).map_err(|e| format!("Tags: {e}"))?;
    }
    Ok(Op::Build {
        context,
        dockerfile: f.value("Dockerfile"),
        tags,
        no_cache: yes(&f.value("No cache"), "No cache")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_become_bindings_as_docker_reads_the_flag() {
        let mut map = m::PortMap::new();
        let mut exposed = Vec::new();
        for p in [
            "8080:80",
            "127.0.0.1::53/udp",
            "[::1]:9000:90",
            "7000-7001:70-71",
        ] {
            publish(p, &mut map, &mut exposed).unwrap();
        }
        let b = |k: &str| {
            let v = map[k].as_ref().unwrap();
            (
                v[0].host_ip.clone().unwrap(),
                v[0].host_port.clone().unwrap(),
            )
        };
        assert_eq!(b("80/tcp"), ("".into(), "8080".into()));
        assert_eq!(b("53/udp"), ("127.0.0.1".into(), "".into()));
        assert_eq!(b("90/tcp"), ("::1".into(), "9000".into()));
        assert_eq!(b("71/tcp"), ("".into(), "7001".into()));
        assert_eq!(exposed.len(), 5);
        assert!(publish("x:80", &mut map, &mut exposed)
            .unwrap_err()
            .starts_with("Ports: "));
    }

    #[test]
    fn restart_policies() {
        let p = restart_policy("on-failure:3").unwrap();
        assert_eq!(p.name, Some(m::RestartPolicyNameEnum::ON_FAILURE));
        assert_eq!(p.maximum_retry_count, Some(3));
        assert!(restart_policy("always:3").is_err());
        assert!(restart_policy("sometimes").is_err());
    }
}
