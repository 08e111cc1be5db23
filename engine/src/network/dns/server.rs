//! The server loop: one UDP socket on the network's gateway for the containers, one
//! for talking to upstream nameservers, and an inotify watch on the network records,
//! all in one `poll`. Single-threaded; it wakes only for packets, record changes and
//! the deadline of a forwarded query.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, UdpSocket};
use std::os::fd::{AsFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};

use super::records::Records;
use super::upstream::{self, Upstream};
use super::wire::{self, Answer, Query};
use crate::config::Config;
use crate::store::Paths;

/// How long a container name may be cached (Docker's embedded DNS says 600 s).
const TTL: u32 = 600;
/// How long an upstream gets before the next one is tried.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(2);

/// A query sent upstream, waiting for its answer.
struct Pending {
    client: SocketAddr,
    client_id: u16,
    packet: Vec<u8>,
    server: usize,
    deadline: Instant,
}

struct Server {
    paths: Paths,
    net: String,
    sock: UdpSocket,
    up: UdpSocket,
    records: Records,
    upstream: Upstream,
    pending: HashMap<u16, Pending>,
    next_id: u16,
    /// Turns the order of multi-address answers (round robin).
    turn: usize,
    /// Since when the network has had no container.
    idle_since: Option<Instant>,
    linger: Duration,
}

/// `berth __dns NETWORK-ID`: detach, then serve the socket on fd 3 until the network
/// goes away or has no containers.
///
/// `config` is this process's own, read once at its entry from the environment
/// `ensure_server` gave it.
pub fn main(config: &Config, net: &str) -> i32 {
    let paths = config.paths();
    // SAFETY: fd 3 was handed to us by ensure_server; nothing else owns it.
    let sock = UdpSocket::from(unsafe { OwnedFd::from_raw_fd(super::SOCKET_FD) });
    // The process that started us waits for this one: fork and let it go.
    // SAFETY: single-threaded at this point.
    match unsafe { nix::unistd::fork() } {
        Ok(nix::unistd::ForkResult::Parent { .. }) => return 0,
        Ok(nix::unistd::ForkResult::Child) => {}
        Err(_) => return 1,
    }
    // Both sockets are drained until they would block, after each poll.
    let up = match UdpSocket::bind("0.0.0.0:0") {
        Ok(u) => u,
        Err(_) => return 1,
    };
    if sock.set_nonblocking(true).is_err() || up.set_nonblocking(true).is_err() {
        return 1;
    }
    let mut s = Server {
        records: Records::load(&paths),
        paths,
        net: net.to_string(),
        sock,
        up,
        upstream: upstream::load(&config.resolv_conf),
        pending: HashMap::new(),
        next_id: std::process::id() as u16,
        turn: 0,
        idle_since: None,
        // How long the server stays once its network has no container: a burst of
        // `run --rm` on a network must not pay for a new server each time.
        linger: config.dns_linger,
    };
    s.run();
    0
}

impl Server {
    fn run(&mut self) {
        let Ok(inotify) = Inotify::init(InitFlags::IN_CLOEXEC | InitFlags::IN_NONBLOCK) else {
            return;
        };
        self.watch(&inotify);
        let mut buf = [0u8; 4096];
        loop {
            if !self.still_needed() {
                return;
            }
            let idle_deadline = self.idle_since.map(|t| t + self.linger);
            let timeout = self
                .pending
                .values()
                .map(|p| p.deadline)
                .chain(idle_deadline)
                .map(|d| d.saturating_duration_since(Instant::now()))
                .min()
                .map(|d| {
                    PollTimeout::try_from(d.as_millis() as i32 + 1).unwrap_or(PollTimeout::MAX)
                })
                .unwrap_or(PollTimeout::NONE);
            let mut fds = [
                PollFd::new(self.sock.as_fd(), PollFlags::POLLIN),
                PollFd::new(self.up.as_fd(), PollFlags::POLLIN),
                PollFd::new(inotify.as_fd(), PollFlags::POLLIN),
            ];
            if poll(&mut fds, timeout).is_err() {
                continue;
            }
            let ready: Vec<bool> = fds
                .iter()
                .map(|f| f.revents().is_some_and(|r| !r.is_empty()))
                .collect();
            if ready[2] {
                // Drain the events; what changed does not matter, the records are re-read.
                while inotify.read_events().is_ok_and(|e| !e.is_empty()) {}
                self.records = Records::load(&self.paths);
                self.watch(&inotify);
            }
            if ready[0] {
                while let Ok((n, from)) = self.sock.recv_from(&mut buf) {
                    self.on_query(&buf[..n], from);
                }
            }
            if ready[1] {
                while let Ok((n, from)) = self.up.recv_from(&mut buf) {
                    self.on_upstream(&buf[..n], from);
                }
            }
            self.expire();
        }
    }

    /// Watch the networks directory (networks come and go) and each network's directory
    /// (endpoints.json is replaced by rename on every change).
    fn watch(&self, inotify: &Inotify) {
        let dir = self.paths.networks_dir();
        let flags = AddWatchFlags::IN_CREATE
            | AddWatchFlags::IN_DELETE
            | AddWatchFlags::IN_MOVED_TO
            | AddWatchFlags::IN_MOVED_FROM
            | AddWatchFlags::IN_CLOSE_WRITE;
        let _ = inotify.add_watch(&dir, flags);
        if let Ok(rd) = std::fs::read_dir(&dir) {
            for e in rd.flatten() {
                let _ = inotify.add_watch(&e.path(), flags);
            }
        }
    }

    /// The server stays while its network exists and has had containers within the
    /// linger time. Leaving races
    /// with a container joining (whose starter finds our socket bound and trusts us),
    /// so the socket is closed first and the records read once more: a container that
    /// arrived meanwhile gets the socket bound again, unless its starter already made
    /// a new server, which then holds the address and we go.
    fn still_needed(&mut self) -> bool {
        let has_containers =
            |r: &Records, net: &str| r.network(net).is_some_and(|n| !n.entries.is_empty());
        if has_containers(&self.records, &self.net) {
            self.idle_since = None;
            return true;
        }
        if self.records.network(&self.net).is_none() {
            return false;
        }
        let idle_since = *self.idle_since.get_or_insert_with(Instant::now);
        if idle_since.elapsed() < self.linger {
            return true;
        }
        let Some(addr) = self.records.network(&self.net).map(|n| n.network.gateway) else {
            return false;
        };
        let placeholder = match UdpSocket::bind("127.0.0.1:0") {
            Ok(p) => p,
            Err(_) => return false,
        };
        drop(std::mem::replace(&mut self.sock, placeholder));
        self.records = Records::load(&self.paths);
        if !has_containers(&self.records, &self.net) {
            return false;
        }
        match UdpSocket::bind(SocketAddrV4::new(addr, 53)) {
            Ok(s) if s.set_nonblocking(true).is_ok() => {
                self.sock = s;
                true
            }
            _ => false,
        }
    }

    fn on_query(&mut self, packet: &[u8], from: SocketAddr) {
        let SocketAddr::V4(from4) = from else {
            return;
        };
        let Some(q) = wire::parse_query(packet) else {
            return;
        };
        match self.local_answer(&q, *from4.ip()) {
            Some(a) => {
                let out = wire::answer(&q, packet, &a, TTL);
                let _ = self.sock.send_to(&out, from);
            }
            None => self.forward(&q, packet, from),
        }
    }

    /// The answer from the records, or None when the name is not a container's.
    fn local_answer(&mut self, q: &Query, src: Ipv4Addr) -> Option<Answer> {
        if q.qclass != wire::CLASS_IN {
            return None;
        }
        if q.qtype == wire::TYPE_PTR {
            let ip = wire::reverse_name_ip(&q.name)?;
            return self.records.reverse(&self.net, src, ip).map(Answer::Ptr);
        }
        // `web` and `web.<search domain>` are both the container web.
        let mut candidates = vec![q.name.as_str()];
        for d in &self.upstream.search {
            if let Some(short) = q
                .name
                .strip_suffix(d.as_str())
                .and_then(|n| n.strip_suffix('.'))
            {
                candidates.push(short);
            }
        }
        let mut ips = candidates
            .iter()
            .find_map(|n| self.records.lookup(&self.net, src, n))?;
        if q.qtype != wire::TYPE_A {
            // The name is ours but has no such records (AAAA, MX...): answer at once
            // rather than let the client wait for an upstream that cannot know it.
            return Some(Answer::NoData);
        }
        self.turn = self.turn.wrapping_add(1);
        let k = self.turn % ips.len();
        ips.rotate_left(k);
        Some(Answer::A(ips))
    }

    /// Send a query we cannot answer to the first upstream. Internal networks reach
    /// nothing outside, so their unknown names fail at once, as do all when the host
    /// has no nameserver.
    fn forward(&mut self, q: &Query, packet: &[u8], from: SocketAddr) {
        let internal = self
            .records
            .network(&self.net)
            .is_some_and(|n| n.network.internal);
        if internal || self.upstream.servers.is_empty() {
            let out = wire::answer(q, packet, &Answer::Error(wire::RCODE_SERVFAIL), 0);
            let _ = self.sock.send_to(&out, from);
            return;
        }
        // A fresh ID per forwarded query, so answers cannot be confused.
        let mut id = self.next_id;
        while self.pending.contains_key(&id) {
            id = id.wrapping_add(1);
        }
        self.next_id = id.wrapping_add(1);
        let p = Pending {
            client: from,
            client_id: q.id,
            packet: wire::with_id(packet, id),
            server: 0,
            deadline: Instant::now() + UPSTREAM_TIMEOUT,
        };
        let _ = self.up.send_to(&p.packet, self.upstream.servers[0]);
        self.pending.insert(id, p);
    }

    fn on_upstream(&mut self, packet: &[u8], from: SocketAddr) {
        let Some(id) = wire::id_of(packet) else {
            return;
        };
        let Some(p) = self.pending.get(&id) else {
            return;
        };
        // Only the server we asked may answer.
        if SocketAddr::V4(self.upstream.servers[p.server]) != from {
            return;
        }
        if let Some(p) = self.pending.remove(&id) {
            let _ = self
                .sock
                .send_to(&wire::with_id(packet, p.client_id), p.client);
        }
    }

    /// Queries whose upstream stayed silent go to the next one, or fail.
    fn expire(&mut self) {
        let now = Instant::now();
        let late: Vec<u16> = self
            .pending
            .iter()
            .filter(|(_, p)| p.deadline <= now)
            .map(|(id, _)| *id)
            .collect();
        for id in late {
            let Some(mut p) = self.pending.remove(&id) else {
                continue;
            };
            p.server += 1;
            if let Some(next) = self.upstream.servers.get(p.server) {
                let _ = self.up.send_to(&p.packet, *next);
                p.deadline = now + UPSTREAM_TIMEOUT;
                self.pending.insert(id, p);
            } else if let Some(q) = wire::parse_query(&wire::with_id(&p.packet, p.client_id)) {
                let raw = wire::with_id(&p.packet, p.client_id);
                let out = wire::answer(&q, &raw, &Answer::Error(wire::RCODE_SERVFAIL), 0);
                let _ = self.sock.send_to(&out, p.client);
            }
        }
    }
}
