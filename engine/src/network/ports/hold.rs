//! Holding published host ports. While a container runs, its monitor keeps a socket
//! bound on each published host address and port (a listening TCP socket, a bound UDP
//! one), as podman's conmon does. Traffic never reaches these sockets (the firewall
//! redirects it to the container first); they exist so that the kernel, not a list of
//! ours, says whether a port is free, and so that no host process can take a port a
//! container publishes.

use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, UdpSocket};
use std::os::fd::OwnedFd;

use super::spec::{parse_key, Mapping, PortBinding, PortMap, Proto};

/// The sockets that hold the ports, and what they resolved to.
#[derive(Debug, Default)]
pub struct Held {
    pub sockets: Vec<OwnedFd>,
    pub mappings: Vec<Mapping>,
}

/// Why a port could not be held: a bad binding, or the kernel refused the bind.
#[derive(Debug)]
pub enum HoldError {
    Invalid(String),
    Bind(BindError),
}

impl From<String> for HoldError {
    fn from(s: String) -> Self {
        HoldError::Invalid(s)
    }
}

impl HoldError {
    /// The message for the user; `holder` names the container behind a taken port.
    pub fn describe(&self, holder: impl Fn(&Mapping) -> Option<String>) -> String {
        match self {
            HoldError::Invalid(s) => s.clone(),
            HoldError::Bind(b) => b.describe(holder(&b.mapping()).as_deref()),
        }
    }
}

/// Why a port could not be bound.
#[derive(Debug)]
pub struct BindError {
    pub addr: SocketAddrV4,
    pub proto: Proto,
    pub err: std::io::Error,
}

impl BindError {
    /// Docker's wording, with who holds the port when it is known: `holder` is the
    /// name of the container that publishes it.
    pub fn describe(&self, holder: Option<&str>) -> String {
        let why = if self.err.kind() == std::io::ErrorKind::AddrInUse {
            match holder {
                Some(c) => format!("port is already allocated (container {c} publishes it)"),
                None => "port is already allocated (a program on the host listens on it)".into(),
            }
        } else {
            self.err.to_string()
        };
        format!(
            "Bind for {}/{} failed: {why}",
            self.addr,
            self.proto.as_str()
        )
    }

    pub fn mapping(&self) -> Mapping {
        Mapping {
            proto: self.proto,
            host_ip: *self.addr.ip(),
            host_port: self.addr.port(),
            container_port: 0,
        }
    }
}

/// Bind one host port. Rust's std sockets are close-on-exec, so the container never
/// inherits them; the listener's SO_REUSEADDR lets a port in TIME_WAIT be reused, as
/// every server does.
fn bind(proto: Proto, addr: SocketAddrV4) -> Result<(OwnedFd, u16), BindError> {
    let fail = |err| BindError { addr, proto, err };
    match proto {
        Proto::Tcp => {
            let l = TcpListener::bind(addr).map_err(fail)?;
            let port = l.local_addr().map_err(fail)?.port();
            Ok((OwnedFd::from(l), port))
        }
        Proto::Udp => {
            let s = UdpSocket::bind(addr).map_err(fail)?;
            let port = s.local_addr().map_err(fail)?.port();
            Ok((OwnedFd::from(s), port))
        }
    }
}

fn host_ip(b: &PortBinding) -> Result<Ipv4Addr, String> {
    if b.host_ip.is_empty() {
        return Ok(Ipv4Addr::UNSPECIFIED);
    }
    b.host_ip
        .parse()
        .map_err(|_| format!("invalid host address {:?}", b.host_ip))
}

/// Candidate host ports for a binding: 0 (the kernel picks a free ephemeral port, from
/// the same range Docker uses), one port, or each port of a range in turn.
fn candidates(b: &PortBinding) -> Result<Vec<u16>, String> {
    let p = b.host_port.trim();
    if p.is_empty() || p == "0" {
        return Ok(vec![0]);
    }
    let (a, z) = match p.split_once('-') {
        Some((a, z)) => (a, z),
        None => (p, p),
    };
    match (a.parse::<u16>(), z.parse::<u16>()) {
        (Ok(a), Ok(z)) if a <= z => Ok((a..=z).collect()),
        _ => Err(format!("invalid host port {p:?}")),
    }
}

/// Bind every published port of `bindings`, plus (with `publish_all`) every exposed
/// port that has no binding, on any free port. All or nothing: on error the sockets
/// bound so far are closed. `previous` are the mappings of the container's last run: a
/// port left to the kernel's choice gets the same host port again when it is free, so a
/// restart does not move it.
pub fn hold_all(
    bindings: &PortMap,
    publish_all: bool,
    exposed: &[String],
    previous: &[Mapping],
) -> Result<Held, HoldError> {
    let mut held = Held::default();
    let mut wanted: Vec<(String, PortBinding)> = Vec::new();
    for (key, list) in bindings {
        for b in list {
            wanted.push((key.clone(), b.clone()));
        }
    }
    if publish_all {
        for key in exposed {
            if !bindings.contains_key(key) {
                wanted.push((key.clone(), PortBinding::default()));
            }
        }
    }
    for (key, b) in wanted {
        let (cport, proto) = parse_key(&key)?;
        let ip = host_ip(&b)?;
        let mut ports = candidates(&b)?;
        if ports == [0] {
            let before = previous
                .iter()
                .find(|m| m.proto == proto && m.container_port == cport && m.host_ip == ip);
            if let Some(m) = before {
                ports.insert(0, m.host_port);
            }
        }
        let mut last = None;
        for port in ports {
            match bind(proto, SocketAddrV4::new(ip, port)) {
                Ok((fd, port)) => {
                    held.sockets.push(fd);
                    held.mappings.push(Mapping {
                        proto,
                        host_ip: ip,
                        host_port: port,
                        container_port: cport,
                    });
                    last = None;
                    break;
                }
                // A previous port now taken: fall back to the kernel's choice.
                Err(e) => last = Some(e),
            }
        }
        if let Some(e) = last {
            return Err(HoldError::Bind(e));
        }
    }
    held.mappings.sort();
    Ok(held)
}

/// At create time: fail early when a fixed host port is taken, so a doomed container is
/// never made. (Start binds for real; this only spares the user a half-made container.)
pub fn check_available(bindings: &PortMap) -> Result<(), HoldError> {
    for (key, list) in bindings {
        for b in list {
            if candidates(b)?.len() == 1 && !b.host_port.is_empty() && b.host_port != "0" {
                let (_, proto) = parse_key(key)?;
                let port = candidates(b)?[0];
                bind(proto, SocketAddrV4::new(host_ip(b)?, port)).map_err(HoldError::Bind)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(key: &str, ip: &str, port: &str) -> PortMap {
        let mut m = PortMap::new();
        m.insert(
            key.into(),
            vec![PortBinding {
                host_ip: ip.into(),
                host_port: port.into(),
            }],
        );
        m
    }

    #[test]
    fn a_held_port_cannot_be_taken_and_is_free_again_when_dropped() {
        let held = hold_all(&map("80/tcp", "127.0.0.1", ""), false, &[], &[]).unwrap();
        let port = held.mappings[0].host_port;
        assert!(port > 0);
        let again = map("80/tcp", "127.0.0.1", &port.to_string());
        let e = hold_all(&again, false, &[], &[])
            .unwrap_err()
            .describe(|_| Some("web".into()));
        assert!(
            e.contains("port is already allocated (container web publishes it)"),
            "{e}"
        );
        assert!(check_available(&again).is_err());
        assert!(std::net::TcpListener::bind(("127.0.0.1", port)).is_err());
        drop(held);
        assert!(check_available(&again).is_ok());
    }

    #[test]
    fn a_host_range_takes_the_first_free_port_and_publish_all_adds_exposed_ports() {
        let taken = UdpSocket::bind("127.0.0.1:0").unwrap();
        let p = taken.local_addr().unwrap().port();
        let range = map("53/udp", "127.0.0.1", &format!("{p}-{}", p + 1));
        match hold_all(&range, false, &[], &[]) {
            Ok(h) => assert_eq!(h.mappings[0].host_port, p + 1),
            // p+1 happened to be taken by someone else: the error names the range's end.
            Err(e) => assert!(e.describe(|_| None).contains(&format!(":{}", p + 1))),
        }
        let h = hold_all(&PortMap::new(), true, &["7/udp".to_string()], &[]).unwrap();
        assert_eq!(h.mappings.len(), 1);
        assert_eq!(h.mappings[0].container_port, 7);
        assert_eq!(h.mappings[0].host_ip, Ipv4Addr::UNSPECIFIED);
        // A restart keeps the port it had.
        let before = h.mappings.clone();
        drop(h);
        let again = hold_all(&PortMap::new(), true, &["7/udp".to_string()], &before).unwrap();
        assert_eq!(again.mappings, before);
    }
}
