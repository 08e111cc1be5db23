//! The values of `service create`'s and `update`'s structured flags, read as Docker's
//! option types read them: `-p` (`PortOpt`, long and short syntax, ranges),
//! `--secret`/`--config` (`SecretOpt`, `ConfigOpt`), `--network` (`NetworkOpt`),
//! `--placement-pref`, `--mount` and `--ulimit`. Each refuses a bad value in Docker's
//! words, so clap names the flag with it.

use std::collections::HashMap;

use bollard::models as m;

/// The ports one `-p` publishes (a range publishes several).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ports(pub Vec<m::EndpointPortConfig>);

/// One `-p`/`--publish`: `published=8080,target=80,protocol=udp,mode=host`, or
/// `[PUBLISHED:]TARGET[/PROTOCOL]` with ranges (`8000-8001:80-81`).
pub fn publish(value: &str) -> Result<Ports, String> {
    let long = value.split(',').any(|f| {
        f.split_once('=')
            .is_some_and(|(k, v)| !k.is_empty() && !v.is_empty())
    });
    if long {
        let mut p = m::EndpointPortConfig {
            protocol: Some(m::EndpointPortConfigProtocolEnum::TCP),
            publish_mode: Some(m::EndpointPortConfigPublishModeEnum::INGRESS),
            ..Default::default()
        };
        for field in value.split(',') {
            let lower = field.to_ascii_lowercase();
            let (key, val) = lower
                .split_once('=')
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| format!("invalid field: {field}"))?;
            match key {
                "protocol" => {
                    p.protocol = Some(match val {
                        "tcp" => m::EndpointPortConfigProtocolEnum::TCP,
                        "udp" => m::EndpointPortConfigProtocolEnum::UDP,
                        "sctp" => m::EndpointPortConfigProtocolEnum::SCTP,
                        _ => return Err(format!("invalid protocol value '{val}'")),
                    })
                }
                "mode" => {
                    p.publish_mode = Some(match val {
                        "ingress" => m::EndpointPortConfigPublishModeEnum::INGRESS,
                        "host" => m::EndpointPortConfigPublishModeEnum::HOST,
                        _ => {
                            return Err(format!(
                        "invalid publish mode value ({val}): must be either 'ingress' or 'host'"
                    ))
                        }
                    })
                }
                "target" => {
                    let n: u16 = val.parse().map_err(|_| {
                        format!(
                            "invalid target port ({val}): value must be an integer: invalid syntax"
                        )
                    })?;
                    p.target_port = Some(i64::from(n));
                }
                "published" => {
                    let n: u16 = val.parse().map_err(|_| {
                        format!("invalid published port ({val}): value must be an integer: invalid syntax")
                    })?;
                    p.published_port = (n != 0).then_some(i64::from(n));
                }
                _ => return Err(format!("invalid field key: {key}")),
            }
        }
        if p.target_port.unwrap_or(0) == 0 {
            return Err("missing mandatory field 'target'".into());
        }
        return Ok(Ports(vec![p]));
    }
    let (ports, proto) = match value.rsplit_once('/') {
        Some((p, proto)) => (p, proto.to_ascii_lowercase()),
        None => (value, "tcp".to_string()),
    };
    let protocol = match proto.as_str() {
        "tcp" => m::EndpointPortConfigProtocolEnum::TCP,
        "udp" => m::EndpointPortConfigProtocolEnum::UDP,
        "sctp" => m::EndpointPortConfigProtocolEnum::SCTP,
        _ => return Err(format!("invalid proto: {proto}")),
    };
    let parts: Vec<&str> = ports.split(':').collect();
    let (published, target) = match parts.as_slice() {
        [t] => (None, *t),
        [p, t] => (Some(*p).filter(|p| !p.is_empty()), *t),
        _ => return Err("hostip is not supported".into()),
    };
    let range = |s: &str| -> Result<(u16, u16), String> {
        let bad = || format!("invalid port range {s:?}");
        match s.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
                if a > b {
                    return Err(bad());
                }
                Ok((a, b))
            }
            None => {
                let a = s
                    .parse()
                    .map_err(|_| format!("invalid containerPort: {s}"))?;
                Ok((a, a))
            }
        }
    };
    let (t0, t1) = range(target)?;
    let published = published.map(range).transpose()?;
    if let Some((p0, p1)) = published {
        if p1 - p0 != t1 - t0 && t0 != t1 {
            return Err(format!(
                "invalid ranges specified for container and host Ports: {target} and {}",
                published
                    .map(|(a, b)| format!("{a}-{b}"))
                    .unwrap_or_default()
            ));
        }
    }
    let mut out = Vec::new();
    for (i, t) in (t0..=t1).enumerate() {
        let publish_ports: Vec<Option<u16>> = match published {
            None => vec![None],
            // One target, a range published: every port of the range to it.
            Some((p0, p1)) if t0 == t1 => (p0..=p1).map(Some).collect(),
            Some((p0, _)) => vec![Some(p0 + i as u16)],
        };
        for p in publish_ports {
            out.push(m::EndpointPortConfig {
                protocol: Some(protocol),
                target_port: Some(i64::from(t)),
                published_port: p.filter(|p| *p != 0).map(i64::from),
                publish_mode: Some(m::EndpointPortConfigPublishModeEnum::INGRESS),
                ..Default::default()
            });
        }
    }
    Ok(Ports(out))
}

/// Docker's `SecretOpt`: `NAME` or `source=NAME[,target=PATH][,uid=][,gid=][,mode=]`,
/// mode 0444 owned by root by default (its ID is looked up later, by name).
pub fn secret(value: &str) -> Result<m::TaskSpecContainerSpecSecrets, String> {
    let r = file_ref(value, "secret")?;
    Ok(m::TaskSpecContainerSpecSecrets {
        file: Some(m::TaskSpecContainerSpecFile {
            name: Some(r.target),
            uid: Some(r.uid),
            gid: Some(r.gid),
            mode: Some(r.mode),
        }),
        secret_id: None,
        secret_name: Some(r.source),
    })
}

/// Docker's `ConfigOpt`, the same syntax as a secret's.
pub fn config(value: &str) -> Result<m::TaskSpecContainerSpecConfigs, String> {
    let r = file_ref(value, "config")?;
    Ok(m::TaskSpecContainerSpecConfigs {
        file: Some(m::TaskSpecContainerSpecFile1 {
            name: Some(r.target),
            uid: Some(r.uid),
            gid: Some(r.gid),
            mode: Some(r.mode),
        }),
        config_name: Some(r.source),
        ..Default::default()
    })
}

struct FileRef {
    source: String,
    target: String,
    uid: String,
    gid: String,
    mode: u32,
}

fn file_ref(value: &str, kind: &str) -> Result<FileRef, String> {
    let mut r = FileRef {
        source: String::new(),
        target: String::new(),
        uid: "0".into(),
        gid: "0".into(),
        mode: 0o444,
    };
    let fields: Vec<&str> = value.split(',').collect();
    if fields.len() == 1 && !value.contains('=') {
        r.source = value.to_string();
        r.target = value.to_string();
        return Ok(r);
    }
    for field in fields {
        let (key, val) = field
            .split_once('=')
            .filter(|(k, _)| !k.is_empty())
            .ok_or_else(|| format!("invalid field '{field}' must be a key=value pair"))?;
        match key.to_ascii_lowercase().as_str() {
            "source" | "src" => r.source = val.to_string(),
            "target" => r.target = val.to_string(),
            "uid" => r.uid = val.to_string(),
            "gid" => r.gid = val.to_string(),
            "mode" => {
                let mode = super::service_flags::go_uint(val)
                    .map_err(|e| format!("invalid mode specified: {e}"))?;
                r.mode = mode as u32;
            }
            _ => return Err(format!("invalid field in {kind} request: {key}")),
        }
    }
    if r.source.is_empty() {
        return Err("source is required".into());
    }
    if r.target.is_empty() {
        r.target = r.source.clone();
    }
    Ok(r)
}

/// `--network NAME` or `name=NAME,alias=A,driver-opt=K=V` (Docker's `NetworkOpt`).
pub fn network(value: &str) -> Result<m::NetworkAttachmentConfig, String> {
    let mut n = m::NetworkAttachmentConfig::default();
    if !value.contains('=') {
        n.target = Some(value.to_string());
        return Ok(n);
    }
    for field in value.split(',') {
        let (key, val) = field
            .split_once('=')
            .ok_or_else(|| format!("invalid field '{field}' must be a key=value pair"))?;
        match key.to_ascii_lowercase().as_str() {
            "name" => n.target = Some(val.to_string()),
            "alias" => n.aliases.get_or_insert_with(Vec::new).push(val.to_string()),
            "driver-opt" => {
                let (k, v) = val.split_once('=').ok_or_else(|| {
                    format!("invalid key value pair format in driver options: {val}")
                })?;
                n.driver_opts
                    .get_or_insert_with(HashMap::new)
                    .insert(k.to_string(), v.to_string());
            }
            _ => return Err(format!("invalid field key {key}")),
        }
    }
    if n.target.as_deref().unwrap_or_default().is_empty() {
        return Err("network name/id is not specified".into());
    }
    Ok(n)
}

/// `--placement-pref spread=node.labels.zone`.
pub fn placement_pref(value: &str) -> Result<m::TaskSpecPlacementPreferences, String> {
    let (strategy, arg) = value
        .split_once('=')
        .filter(|(s, _)| !s.is_empty())
        .ok_or_else(|| {
            "placement preference must be of the format \"<strategy>=<arg>\"".to_string()
        })?;
    if strategy != "spread" {
        return Err(format!(
            "unsupported placement preference {strategy} (only spread is supported)"
        ));
    }
    Ok(m::TaskSpecPlacementPreferences {
        spread: Some(m::TaskSpecPlacementSpread {
            spread_descriptor: Some(arg.to_string()),
        }),
    })
}

/// `--mount`, read as `run --mount` reads it (Docker's `MountOpt` serves both).
pub fn mount(value: &str) -> Result<m::Mount, String> {
    crate::cli::create_request::mount(value)
}

/// `--ulimit nofile=100:200`.
pub fn ulimit(value: &str) -> Result<m::ResourcesUlimits, String> {
    let u = berth_engine::container::ulimits::parse(value).map_err(|e| e.to_string())?;
    Ok(m::ResourcesUlimits {
        name: Some(u.name),
        soft: Some(u.soft),
        hard: Some(u.hard),
    })
}
