//! Turning a container record into a launch spec: image layers, the container's own
//! upper dir, mounts, /etc files, process and capabilities.

use std::fs;
use std::path::{Path, PathBuf};

use super::model::ContainerRecord;
use super::namespaces_mode;
use crate::config::Config;
use crate::error::{Error, IoContext, Result};
use crate::image::ImageStore;
use crate::runtime::caps;
use crate::runtime::spec::{LaunchSpec, MountKind, NetMode, ProcessSpec, SpecMount};
use crate::store::Paths;
use crate::volume::VolumeStore;

/// The directories a container owns under its state directory.
pub struct ContainerDirs {
    pub upper: PathBuf,
    pub work: PathBuf,
    pub rootfs: PathBuf,
}

impl ContainerDirs {
    pub fn of(paths: &Paths, id: &str) -> Self {
        let d = paths.container_dir(id);
        ContainerDirs {
            upper: d.join("upper"),
            work: d.join("work"),
            rootfs: d.join("merged"),
        }
    }
    pub fn create(&self) -> Result<()> {
        for p in [&self.upper, &self.work, &self.rootfs] {
            fs::create_dir_all(p).ctx("create directory", p)?;
        }
        Ok(())
    }
}

/// `atts` are the container's reserved network addresses (they go into /etc/hosts).
pub fn build(
    config: &Config,
    images: &ImageStore,
    rec: &ContainerRecord,
    atts: &[crate::network::attach::Attachment],
) -> Result<LaunchSpec> {
    let paths = &config.paths();
    let img = images.resolve(&rec.image_id.to_string())?;
    let mut lower_dirs = images.layer_dirs(&img)?;
    if lower_dirs.is_empty() {
        // overlayfs needs a lower dir; an image with no layers gets an empty one.
        let empty = paths.layers_dir().join("empty");
        fs::create_dir_all(&empty).ctx("create directory", &empty)?;
        lower_dirs.push(empty);
    }
    let dirs = ContainerDirs::of(paths, &rec.id);
    dirs.create()?;
    let hc = &rec.host_config;
    let store = super::store::ContainerStore::new(paths);
    let net = match hc.network_mode.as_str() {
        "host" => NetMode::Host,
        m if m.starts_with("container:") => {
            let target = store.find(&m["container:".len()..])?;
            if !target.state.status.is_live() || target.state.pid <= 0 {
                return Err(Error::Conflict(format!(
                    "cannot join network of a non running container: {}",
                    target.name()
                )));
            }
            NetMode::Join(PathBuf::from(format!("/proc/{}/ns/net", target.state.pid)))
        }
        _ => NetMode::Private,
    };
    let mut extra_hosts = Vec::new();
    let mut link_env = Vec::new();
    for link in &hc.links {
        let l = super::links::resolve(paths, &store, link, &rec.name)?;
        extra_hosts.push(l.hosts_line);
        link_env.extend(l.env);
    }
    let etc_files = write_etc_files(paths, &config.resolv_conf, rec, &net, atts, &extra_hosts)?;

    let volumes = VolumeStore::new(paths);
    let mut mounts = Vec::new();
    for m in &rec.mounts {
        let (kind, source, seed) = match m.kind.as_str() {
            "bind" => (MountKind::Bind, PathBuf::from(&m.source), false),
            "volume" => {
                let (dir, fresh) = volumes.data_dir_for_mount(&m.name)?;
                (MountKind::Bind, dir, fresh)
            }
            "tmpfs" => {
                // Checked at create; a record from before the check may still be wrong.
                let opts = crate::volume::tmpfs::parse(&m.mode).map_err(|e| {
                    Error::invalid(format!("tmpfs {} ({:?}): {e}", m.destination, m.mode))
                })?;
                (MountKind::Tmpfs(opts), PathBuf::new(), false)
            }
            other => {
                return Err(Error::invalid(format!(
                    "unknown mount type {other:?} in {}",
                    rec.id
                )))
            }
        };
        if kind == MountKind::Bind && !source.exists() {
            return Err(Error::invalid(format!(
                "invalid mount config for type \"bind\": bind source path does not exist: {}",
                source.display()
            )));
        }
        mounts.push(SpecMount {
            kind,
            source,
            destination: m.destination.clone(),
            readonly: !m.rw,
            seed,
        });
    }
    let pid = namespaces_mode::pid_ns(&store, &hc.pid_mode)?;
    let (ipc, shm) = namespaces_mode::ipc_ns(paths, &rec.id, &hc.ipc_mode, hc.shm_size)?;
    // The host's node as it is now: a device unplugged since create fails the start.
    let devices = hc
        .devices
        .iter()
        .map(super::devices::stat)
        .collect::<Result<Vec<_>>>()?;
    let caps = caps::compute(&hc.cap_add, &hc.cap_drop, hc.privileged).map_err(Error::invalid)?;
    let sec = super::security_opt::parse(&hc.security_opt)?;
    let mut args = vec![rec.path.clone()];
    args.extend(rec.args.iter().cloned());
    Ok(LaunchSpec {
        id: rec.id.clone(),
        hostname: rec.config.hostname.clone(),
        lower_dirs,
        upper_dir: dirs.upper,
        work_dir: dirs.work,
        rootfs: dirs.rootfs,
        readonly_rootfs: hc.readonly_rootfs,
        mounts,
        etc_files,
        process: ProcessSpec {
            args,
            // The container's own settings win over a link's variable of the same name.
            env: link_env
                .into_iter()
                .chain(rec.config.env.iter().cloned())
                .collect(),
            cwd: if rec.config.working_dir.is_empty() {
                "/".into()
            } else {
                rec.config.working_dir.clone()
            },
            create_cwd: true,
            user: rec.config.user.clone(),
            tty: rec.config.tty,
            caps,
            seccomp: sec.seccomp_for(hc.privileged),
            no_new_privs: sec.no_new_privileges,
            group_add: hc.group_add.clone(),
        },
        init: hc.init,
        privileged: hc.privileged,
        mask_paths: !hc.privileged && !sec.unconfined_system_paths,
        net,
        pid,
        ipc,
        uts: namespaces_mode::uts_ns(&hc.uts_mode),
        shm,
        domainname: rec.config.domainname.clone(),
        devices,
        sysctls: hc
            .sysctls
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        ulimits: hc.ulimits.clone(),
        oom_score_adj: hc.oom_score_adj,
    })
}

/// /etc/hostname, /etc/hosts and /etc/resolv.conf for the container, written into its
/// state directory and bind-mounted, as Docker does, so the image's files stay untouched.
fn write_etc_files(
    paths: &Paths,
    host_resolv_conf: &Path,
    rec: &ContainerRecord,
    net: &NetMode,
    atts: &[crate::network::attach::Attachment],
    link_lines: &[String],
) -> Result<Vec<(PathBuf, &'static str)>> {
    let dir = &paths.container_dir(&rec.id);
    let hostname = dir.join("hostname");
    let hosts = dir.join("hosts");
    let resolv = dir.join("resolv.conf");
    fs::write(&hostname, format!("{}\n", rec.config.hostname)).ctx("write", &hostname)?;
    let mut hosts_text = match net {
        NetMode::Host => fs::read_to_string("/etc/hosts").unwrap_or_default(),
        // Sharing another container's network means sharing its idea of the names.
        NetMode::Join(_) => {
            let target = &rec.host_config.network_mode["container:".len()..];
            let t = super::store::ContainerStore::new(paths).find(target)?;
            fs::read_to_string(paths.container_dir(t.id()).join("hosts")).unwrap_or_default()
        }
        NetMode::Private => "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n".to_string(),
    };
    for h in &rec.host_config.extra_hosts {
        if let Some((name, ip)) = h.split_once(':') {
            // host-gateway means the host as seen from the container: its gateway.
            let ip = if ip == "host-gateway" {
                atts.first()
                    .map(|a| a.network.gateway.to_string())
                    .unwrap_or_else(|| "127.0.0.1".into())
            } else {
                ip.to_string()
            };
            hosts_text.push_str(&format!("{ip}\t{name}\n"));
        }
    }
    for l in link_lines {
        hosts_text.push_str(l);
    }
    if *net == NetMode::Private {
        // The container's own name, on its first address (Docker's last line).
        match atts.first() {
            Some(a) => {
                hosts_text.push_str(&format!("{}\t{}\n", a.endpoint.ip, rec.config.hostname))
            }
            None => hosts_text.push_str(&format!("127.0.1.1\t{}\n", rec.config.hostname)),
        }
    }
    fs::write(&hosts, hosts_text).ctx("write", &hosts)?;
    let host_resolv = fs::read_to_string(host_resolv_conf).unwrap_or_default();
    // The first network (in join order) with an embedded server answers: a container
    // on the default bridge that was connected to a user network resolves its names.
    let embedded = atts
        .iter()
        .find(|a| crate::network::dns::serves(&a.network))
        .filter(|_| *net == NetMode::Private);
    let resolv_text = if let (true, Some(a)) = (rec.host_config.dns.is_empty(), embedded) {
        // On a user network the network's own server answers (and forwards the rest).
        embedded_resolv_conf(&host_resolv, a.network.gateway)
    } else if rec.host_config.dns.is_empty() {
        resolv_conf(&host_resolv, net)
    } else {
        rec.host_config
            .dns
            .iter()
            .map(|d| format!("nameserver {d}\n"))
            .collect()
    };
    let resolv_text = super::dns_config::apply(
        &resolv_text,
        &rec.host_config.dns_search,
        &rec.host_config.dns_options,
    );
    fs::write(&resolv, resolv_text).ctx("write", &resolv)?;
    // Tools tell they run in a container by /.dockerenv (an empty file, as Docker's).
    let dockerenv = dir.join("dockerenv");
    if !dockerenv.exists() {
        fs::write(&dockerenv, "").ctx("write", &dockerenv)?;
    }
    Ok(vec![
        (hostname, "/etc/hostname"),
        (hosts, "/etc/hosts"),
        (resolv, "/etc/resolv.conf"),
        (dockerenv, "/.dockerenv"),
    ])
}

/// The host's resolv.conf without loopback nameservers (they mean nothing in a private
/// network namespace), as Docker filters it.
pub fn resolv_conf(host: &str, net: &NetMode) -> String {
    if *net == NetMode::Host {
        return host.to_string();
    }
    host.lines()
        .filter(|l| {
            let mut w = l.split_whitespace();
            !(w.next() == Some("nameserver")
                && w.next()
                    .is_some_and(|ip| ip.starts_with("127.") || ip == "::1"))
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The resolv.conf of a container on a user network: the embedded server on the
/// network's gateway, with the host's search domains and options.
pub fn embedded_resolv_conf(host: &str, gateway: std::net::Ipv4Addr) -> String {
    let mut out = format!("nameserver {gateway}\n");
    for l in host.lines() {
        let first = l.split_whitespace().next();
        if matches!(first, Some("search") | Some("domain") | Some("options")) {
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_networks_ask_their_gateway() {
        let host = "search lan\nnameserver 127.0.0.53\noptions edns0\n";
        assert_eq!(
            embedded_resolv_conf(host, "10.1.0.1".parse().unwrap()),
            "nameserver 10.1.0.1\nsearch lan\noptions edns0\n"
        );
    }

    #[test]
    fn loopback_nameservers_are_dropped() {
        let host = "search lan\nnameserver 127.0.0.53\nnameserver 10.0.0.1\noptions edns0\n";
        assert_eq!(
            resolv_conf(host, &NetMode::Private),
            "search lan\nnameserver 10.0.0.1\noptions edns0\n"
        );
        assert_eq!(resolv_conf(host, &NetMode::Host), host);
    }
}
