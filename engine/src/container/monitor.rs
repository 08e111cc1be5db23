//! The monitor: one small process per running container (berth re-executed, detached).
//! It is the parent of the container's init, writes its output to the json log, serves
//! attach clients, records the exit atomically and applies the restart policy.
//! Single-threaded by design: it clones the container, which is only safe without threads.

use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::sys::signal::{signal, SigHandler, Signal};
use nix::unistd::Pid;

use super::attach::{encode, Decoder, Kind};
use super::launch;
use super::logfile::LogWriter;
use super::model::{ContainerRecord, Status};
use super::reap::{pidfd_open, try_reap, wait_exit};
use super::stdio::{attach_pty, make_stdio, Streams};
use super::store::ContainerStore;
use super::{now_rfc3339, procfs};
use crate::cgroups::{self, CgroupManager};
use crate::config::Config;
use crate::image::ImageStore;
use crate::network::{attach, ports};
use crate::runtime::init::Failure;
use crate::runtime::{pty, spawn};
use crate::store::Paths;

/// Where the monitor reports how the first start went: `OK <pid>` or `ERR <code> <msg>`.
pub struct Handshake {
    pub stream: UnixStream,
    /// Keep the stream afterwards as the first attach client (foreground `run`, `start -a`).
    pub attach: bool,
}

/// `config` is the settings of the engine that started the container: the forking CLI's
/// own value, or the one a re-executed monitor read once at its entry.
pub fn main(config: Arc<Config>, id: &str, handshake: Handshake) -> i32 {
    for s in [
        Signal::SIGPIPE,
        Signal::SIGINT,
        Signal::SIGTERM,
        Signal::SIGHUP,
    ] {
        // SAFETY: setting dispositions to SIG_IGN in a single-threaded process.
        unsafe {
            let _ = signal(s, SigHandler::SigIgn);
        }
    }
    let mut m = match Monitor::new(config, id) {
        Ok(m) => m,
        Err(e) => {
            let mut s = handshake.stream;
            let _ = std::io::Write::write_all(&mut s, format!("ERR 125 {e}\n").as_bytes());
            return 1;
        }
    };
    m.run(handshake);
    0
}

struct Client {
    stream: UnixStream,
    out: Vec<u8>,
    decoder: Decoder,
}

const CLIENT_BUFFER_LIMIT: usize = 8 << 20;

mod health_loop;

struct Monitor {
    paths: Paths,
    config: Arc<Config>,
    store: ContainerStore,
    record: ContainerRecord,
    cgroup: Box<dyn CgroupManager>,
    log: LogWriter,
    listener: UnixListener,
    clients: Vec<Client>,
    /// The host ports this run publishes, held open while it runs.
    ports: Option<ports::hold::Held>,
    /// The ports of the last run, kept for the next (a restart keeps its ports).
    last_ports: Vec<ports::Mapping>,
    /// This run's healthchecks (None without a healthcheck).
    health: Option<crate::container::health::runner::Runner>,
    /// When a stop begun by a health action turns into SIGKILL.
    kill_at: Option<Instant>,
    /// Set when a health action restarts the container whatever its restart policy.
    forced_restart: Option<health_loop::ForcedRestart>,
}

impl Monitor {
    fn new(config: Arc<Config>, id: &str) -> crate::Result<Monitor> {
        let paths = config.paths();
        let store = ContainerStore::new(&paths);
        let record = store.load(id)?.record;
        let cgroup = cgroups::open(&config.cgroup_root, &record.host_config.cgroup_parent, id)?;
        let mut log = LogWriter::with_policy(
            &store.log_path(id),
            super::logfile::Policy::of(&record.host_config.log_config),
        )?;
        let driver = &record.host_config.log_config.kind;
        if super::logdriver::is_remote(driver) {
            // A shipper that cannot start costs the remote copy, never the container.
            match super::logdriver::forward::Forwarder::start(&config, id) {
                Ok(f) => log.forward_to(f),
                Err(e) => {
                    super::logdriver::status::Reporter::new(paths.clone(), record.clone(), driver)
                        .failed(&e)
                }
            }
        }
        let run_dir = paths.container_run_dir(id);
        std::fs::create_dir_all(&run_dir)
            .map_err(|e| crate::Error::io("create directory", &run_dir, e))?;
        let sock = run_dir.join("attach.sock");
        let listener = crate::store::sock::bind_in(&run_dir, "attach.sock")
            .map_err(|e| crate::Error::io("listen on", &sock, e))?;

        listener
            .set_nonblocking(true)
            .map_err(|e| crate::Error::io("set non-blocking", &sock, e))?;
        Ok(Monitor {
            paths,
            config,
            store,
            record,
            cgroup,
            log,
            listener,
            clients: Vec::new(),
            ports: None,
            last_ports: Vec::new(),
            health: None,
            kill_at: None,
            forced_restart: None,
        })
    }

    fn run(&mut self, hs: Handshake) {
        let mut handshake = Some(hs);
        let mut first = true;
        let mut backoff = Duration::from_millis(100);
        let mut restarted_by: Option<health_loop::ForcedRestart> = None;
        loop {
            let started = Instant::now();
            let code = match self.start_once(first) {
                Ok((pid, streams)) => {
                    if restarted_by.take().is_some() {
                        self.event("restart", &[]);
                    }
                    self.health_begin();
                    if let Some(hs) = handshake.take() {
                        let mut s = hs.stream;
                        let _ = std::io::Write::write_all(&mut s, format!("OK {pid}\n").as_bytes());
                        if hs.attach {
                            self.add_client(s);
                        }
                    }
                    let code = self.supervise(pid, streams);
                    self.health_end();
                    // Whoever sees the exit recorded may publish these ports again.
                    self.release_ports();
                    self.record_exit(code)
                }
                Err(f) => {
                    self.record_start_failure(&f, first);
                    if let Some(hs) = handshake.take() {
                        let mut s = hs.stream;
                        let _ = std::io::Write::write_all(
                            &mut s,
                            format!("ERR {} {}\n", f.0, f.1).as_bytes(),
                        );
                    }
                    self.broadcast(Kind::Error, f.1.as_bytes());
                    None
                }
            };
            first = false;
            // A health action's restart comes first, and at once (no backoff).
            let forced = self.forced_restart.take();
            if forced.is_none() && !code.is_some_and(|c| self.should_restart(c)) {
                self.finish(code);
                return;
            }
            self.flush_clients_and_close(code);
            self.release_cgroup();
            if forced.is_some() {
                restarted_by = forced;
                continue;
            }

            // Docker's backoff: double from 100 ms, reset after a run of 10 s or more.
            if started.elapsed() >= Duration::from_secs(10) {
                backoff = Duration::from_millis(100);
            }
            if !self.wait_before_restart(backoff) {
                break;
            }
            backoff = (backoff * 2).min(Duration::from_secs(60));
        }
        self.finish(None);
    }

    fn start_once(&mut self, first: bool) -> Result<(Pid, Streams), Failure> {
        // A rename while the container was down must reach its DNS name.
        if let Ok(c) = self.store.load(&self.record.id) {
            self.record.name = c.record.name;
        }
        let nets = crate::network::NetworkStore::new(&self.paths, &self.config);
        let atts = attach::reserve(&nets, &self.record).map_err(|e| Failure(125, e.to_string()))?;
        let started = self.start_attached(first, &nets, &atts);
        if started.is_err() {
            self.release_network();
        }
        started
    }

    /// Start with the addresses reserved; on error the caller gives them back.
    fn start_attached(
        &mut self,
        first: bool,
        nets: &crate::network::NetworkStore,
        atts: &[attach::Attachment],
    ) -> Result<(Pid, Streams), Failure> {
        let images = ImageStore::new(&self.paths);
        for a in atts {
            crate::network::dns::ensure_server(&self.config, &a.network)
                .map_err(|e| Failure(125, e.to_string()))?;
        }
        self.hold_ports(atts)?;
        let spec = launch::build(&self.config, &images, &self.record, atts)
            .map_err(|e| Failure(125, e.to_string()))?;
        let res = self.record.host_config.resources();
        let (io, streams, child_ends) = make_stdio(&self.record).map_err(|e| Failure(125, e))?;
        // The cgroup is made and joined while the child already builds its root; the
        // published ports are redirected before the container is let go.
        let cg = &self.cgroup;
        let id = &self.record.id;
        let ports = self.ports.as_ref();
        let spawned = spawn::spawn(&spec, io, |pid| {
            cg.create(&res).map_err(|e| e.to_string())?;
            cg.add_task(pid.as_raw()).map_err(|e| e.to_string())?;
            cgroups::confine::check_own_cgroups(pid.as_raw()).map_err(|e| e.to_string())?;
            attach::connect(pid.as_raw(), id, atts)?;
            match (ports, atts.first()) {
                (Some(held), Some(a)) => publish(nets, id, held, a),
                _ => Ok(()),
            }
        });
        let mut streams = streams;
        let pid = match spawned {
            Ok(s) => {
                if let Some(m) = s.pty_master {
                    if let Err(e) = attach_pty(&mut streams, m) {
                        let _ = self.cgroup.kill_all();
                        let _ = self.cgroup.destroy();
                        return Err(Failure(125, e));
                    }
                }
                s.pid
            }
            Err(f) => {
                let _ = self.cgroup.kill_all();
                let _ = self.cgroup.destroy();
                return Err(f);
            }
        };
        drop(child_ends);
        let me = std::process::id() as i32;
        let _ = self.store.update_state(&self.record.id, |s| {
            s.status = Status::Running;
            s.pid = pid.as_raw();
            s.monitor_pid = me;
            s.monitor_start_time = procfs::start_time(me).unwrap_or(0);
            s.exit_code = 0;
            s.error.clear();
            s.oom_killed = false;
            s.started_at = Some(now_rfc3339());
            s.manually_stopped = false;
            if !first {
                s.restart_count += 1;
            }
            Ok(())
        });
        for a in atts {
            crate::events::object_event(
                &self.paths,
                "network",
                "connect",
                &a.network.id,
                &crate::network::store::net_attrs(&a.network, Some(&self.record.id)),
            );
        }
        self.event("start", &[]);
        Ok((pid, streams))
    }

    /// Bind the host ports the container publishes (on a network; Docker ignores `-p`
    /// with `--network host` or `none`). Held until the container stops.
    fn hold_ports(&mut self, atts: &[attach::Attachment]) -> Result<(), Failure> {
        let hc = &self.record.host_config;
        if atts.is_empty() || (hc.port_bindings.is_empty() && !hc.publish_all_ports) {
            return Ok(());
        }
        let exposed: Vec<String> = self.record.config.exposed_ports.keys().cloned().collect();
        let held = ports::hold::hold_all(
            &hc.port_bindings,
            hc.publish_all_ports,
            &exposed,
            &self.last_ports,
        )
        .map_err(|e| {
            let holder = |m: &ports::Mapping| {
                let id = ports::active::owner(&self.paths, m)?;
                Some(self.store.load(&id).map(|c| c.record.name).unwrap_or(id))
            };
            Failure(
                125,
                format!(
                    "driver failed programming external connectivity on endpoint {}: {}",
                    self.record.name,
                    e.describe(holder)
                ),
            )
        })?;
        self.last_ports = held.mappings.clone();
        self.ports = Some(held);
        Ok(())
    }

    /// Pump output to the log and clients until the container's init exits.
    fn supervise(&mut self, pid: Pid, mut st: Streams) -> i32 {
        let pidfd = pidfd_open(pid.as_raw());
        let mut exit: Option<i32> = None;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            if exit.is_none() {
                exit = try_reap(pid);
            }
            if exit.is_some() && st.out.is_empty() {
                break;
            }
            let mut fds: Vec<libc::pollfd> = Vec::new();
            let pfd = |fd: RawFd, events: libc::c_short| libc::pollfd {
                fd,
                events,
                revents: 0,
            };
            for (fd, _) in &st.out {
                fds.push(pfd(fd.as_raw_fd(), libc::POLLIN));
            }
            let n_out = fds.len();
            let pidfd_raw = pidfd.as_ref().map(|f| f.as_raw_fd()).unwrap_or(-1);
            fds.push(pfd(
                if exit.is_none() { pidfd_raw } else { -1 },
                libc::POLLIN,
            ));
            fds.push(pfd(self.listener.as_raw_fd(), libc::POLLIN));
            let stdin_fd = st.stdin.as_ref().map(|f| f.as_raw_fd()).unwrap_or(-1);
            fds.push(pfd(
                if st.stdin_buf.is_empty() {
                    -1
                } else {
                    stdin_fd
                },
                libc::POLLOUT,
            ));
            for c in &self.clients {
                let ev = libc::POLLIN | if c.out.is_empty() { 0 } else { libc::POLLOUT };
                fds.push(pfd(c.stream.as_raw_fd(), ev));
            }
            let n_clients = self.clients.len();
            // The health check in flight: its output and its end. (-1 when none: poll
            // ignores negative descriptors.)
            for fd in self.health_fds() {
                fds.push(pfd(if exit.is_none() { fd } else { -1 }, libc::POLLIN));
            }
            // After the exit, give stragglers holding the pipes a short grace period only.
            let timeout = if exit.is_some() {
                200
            } else if pidfd.is_none() {
                100
            } else {
                self.health_timeout(Instant::now()).unwrap_or(-1)
            };
            // SAFETY: fds is a valid array of pollfd for its length.
            let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout) };
            if n < 0 {
                continue;
            }
            if n == 0 && exit.is_some() {
                break;
            }
            // Output.
            let mut closed = Vec::new();
            for (i, pf) in fds[..n_out].iter().enumerate() {
                if pf.revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0 {
                    let (fd, stream) = &st.out[i];
                    match nix::unistd::read(fd.as_raw_fd(), &mut buf) {
                        Ok(0) | Err(nix::errno::Errno::EIO) => closed.push(i),
                        Ok(n) => {
                            let data = buf[..n].to_vec();
                            self.log.write(*stream, &data);
                            let kind = if *stream == 0 {
                                Kind::Stdout
                            } else {
                                Kind::Stderr
                            };
                            self.broadcast(kind, &data);
                        }
                        Err(nix::errno::Errno::EAGAIN) | Err(nix::errno::Errno::EINTR) => {}
                        Err(_) => closed.push(i),
                    }
                }
            }
            for i in closed.into_iter().rev() {
                st.out.remove(i);
            }
            // Stdin.
            let stdin_rev = fds[n_out + 2].revents;
            if stdin_rev & libc::POLLOUT != 0 {
                if let Some(fd) = &st.stdin {
                    match nix::unistd::write(fd, &st.stdin_buf) {
                        Ok(n) => {
                            st.stdin_buf.drain(..n);
                        }
                        Err(nix::errno::Errno::EAGAIN) => {}
                        Err(_) => {
                            st.stdin = None;
                            st.stdin_buf.clear();
                        }
                    }
                }
            }
            // New clients.
            if fds[n_out + 1].revents & libc::POLLIN != 0 {
                while let Ok((s, _)) = self.listener.accept() {
                    self.add_client(s);
                }
            }
            // Client traffic.
            let client_revents: Vec<libc::c_short> = fds[n_out + 3..n_out + 3 + n_clients]
                .iter()
                .map(|p| p.revents)
                .collect();
            self.service_clients(&client_revents, &mut st);
            if exit.is_none() {
                self.health_step(pid);
            }
            if st.stdin_eof && st.stdin_buf.is_empty() {
                st.stdin = None;
            }
        }
        drop(pidfd);
        self.log.flush();
        exit.unwrap_or_else(|| wait_exit(pid))
    }

    fn service_clients(&mut self, revents: &[libc::c_short], st: &mut Streams) {
        let mut dead = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        for (i, rev) in revents.iter().enumerate() {
            let Some(c) = self.clients.get_mut(i) else {
                break;
            };
            if rev & libc::POLLOUT != 0 && !c.out.is_empty() {
                match std::io::Write::write(&mut c.stream, &c.out) {
                    Ok(n) => {
                        c.out.drain(..n);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(_) => dead.push(i),
                }
            }
            if rev & (libc::POLLIN | libc::POLLHUP) != 0 {
                match std::io::Read::read(&mut c.stream, &mut buf) {
                    Ok(0) => dead.push(i),
                    Ok(n) => {
                        c.decoder.push(&buf[..n]);
                        loop {
                            match c.decoder.next_frame() {
                                Ok(Some((Kind::Stdin, data))) => {
                                    st.stdin_buf.extend_from_slice(&data)
                                }
                                Ok(Some((Kind::StdinEof, _))) => {
                                    // A pty has no separate stdin to close; only pipes end,
                                    // and only once what was sent before the end is written.
                                    if st.tty_master.is_none() {
                                        st.stdin_eof = true;
                                    }
                                }
                                Ok(Some((Kind::Resize, p))) if p.len() == 4 => {
                                    if let Some(m) = st.tty_master {
                                        let rows = u16::from_be_bytes([p[0], p[1]]);
                                        let cols = u16::from_be_bytes([p[2], p[3]]);
                                        pty::set_size(m, rows, cols);
                                    }
                                }
                                Ok(Some(_)) => {}
                                Ok(None) => break,
                                Err(_) => {
                                    dead.push(i);
                                    break;
                                }
                            }
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(_) => dead.push(i),
                }
            }
        }
        dead.sort_unstable();
        dead.dedup();
        for i in dead.into_iter().rev() {
            self.clients.remove(i);
        }
    }

    fn add_client(&mut self, stream: UnixStream) {
        if stream.set_nonblocking(true).is_ok() {
            self.clients.push(Client {
                stream,
                out: Vec::new(),
                decoder: Decoder::default(),
            });
        }
    }

    fn broadcast(&mut self, kind: Kind, data: &[u8]) {
        let frame = encode(kind, data);
        // A client that cannot keep up is dropped rather than stalling the log.
        self.clients.retain_mut(|c| {
            c.out.extend_from_slice(&frame);
            c.out.len() <= CLIENT_BUFFER_LIMIT
        });
    }

    /// Send the exit frame and whatever is queued, then let the clients go.
    fn flush_clients_and_close(&mut self, code: Option<i32>) {
        if let Some(code) = code {
            self.broadcast(Kind::Exit, &code.to_be_bytes());
        }
        for mut c in self.clients.drain(..) {
            let _ = c.stream.set_nonblocking(false);
            let _ = c.stream.set_write_timeout(Some(Duration::from_secs(2)));
            let _ = std::io::Write::write_all(&mut c.stream, &c.out);
        }
    }

    /// Persist the exit. Returns the exit code.
    fn record_exit(&mut self, code: i32) -> Option<i32> {
        let oom = self
            .cgroup
            .stats()
            .map(|s| s.oom_kills > 0)
            .unwrap_or(false);
        if oom {
            self.event("oom", &[]);
        }
        self.event("die", &[("exitCode", code.to_string())]);
        if self.record.host_config.auto_remove {
            // The record is about to go; `finish` removes it.
            return Some(code);
        }
        let _ = self.store.update_state(&self.record.id, |s| {
            s.status = Status::Exited;
            s.pid = 0;
            s.exit_code = code;
            s.oom_killed = oom;
            s.finished_at = Some(now_rfc3339());
            Ok(())
        });
        Some(code)
    }

    fn record_start_failure(&mut self, f: &Failure, first: bool) {
        let _ = self.store.update_state(&self.record.id, |s| {
            s.status = if first && s.started_at.is_none() {
                Status::Created
            } else {
                Status::Exited
            };
            s.pid = 0;
            s.exit_code = f.0;
            s.error = f.1.clone();
            s.finished_at = Some(now_rfc3339());
            Ok(())
        });
    }

    fn should_restart(&self, code: i32) -> bool {
        let Ok(c) = self.store.load(&self.record.id) else {
            return false;
        };
        if c.state.manually_stopped || self.record.host_config.auto_remove {
            return false;
        }
        // The record as it is now: `update --restart` may have changed the policy since
        // this monitor started.
        c.record
            .host_config
            .restart_policy
            .restarts(code, c.state.restart_count)
    }

    /// Sleep out the backoff as "restarting", still serving attach clients' connects.
    /// Returns false when the user stopped the container meanwhile.
    fn wait_before_restart(&mut self, backoff: Duration) -> bool {
        let _ = self.store.update_state(&self.record.id, |s| {
            s.status = Status::Restarting;
            Ok(())
        });
        let until = Instant::now() + backoff;
        while Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20).min(until - Instant::now()));
            match self.store.load(&self.record.id) {
                Ok(c) if !c.state.manually_stopped => {}
                _ => {
                    let _ = self.store.update_state(&self.record.id, |s| {
                        s.status = Status::Exited;
                        Ok(())
                    });
                    return false;
                }
            }
        }
        true
    }

    /// The container is done for good. A `--rm` one is hidden (renamed away) before the
    /// clients hear of the exit, so `run --rm` returns once it is gone, as Docker's does;
    /// the slower cleanup (cgroup, files, anonymous volumes) follows.
    fn finish(&mut self, code: Option<i32>) {
        let id = self.record.id.clone();
        let hidden = if self.record.host_config.auto_remove {
            let hidden = self.store.hide(&id).ok().flatten();
            // Anonymous volumes go with it before `run --rm` returns (they are visible).
            let engine = crate::Engine::with_config(self.config.clone());
            let _ = engine.remove_anonymous_volumes(&self.record);
            hidden
        } else {
            None
        };
        self.flush_clients_and_close(code);
        self.release_cgroup();
        super::shm::release(&self.paths, &id);
        let _ = std::fs::remove_file(self.paths.container_run_dir(&id).join("attach.sock"));
        if let Some(doomed) = hidden {
            let _ = self.store.purge(&id, &doomed);
            self.event("destroy", &[]);
        }
    }

    /// An event about this container, under its current name (a rename reaches the
    /// monitor's copy of the record only here and at the next start).
    fn event(&mut self, action: &str, extra: &[(&str, String)]) {
        if let Ok(c) = self.store.load(&self.record.id) {
            self.record.name = c.record.name;
        }
        crate::events::container_event(&self.paths, &self.record, action, extra);
    }

    /// Free what a run held: the cgroup and the network.
    fn release_cgroup(&mut self) {
        let _ = self.cgroup.kill_all();
        let _ = self.cgroup.destroy();
        self.release_network();
    }

    /// Give back the addresses and the published ports (their redirects first, then
    /// the host ports themselves).
    fn release_network(&mut self) {
        self.release_ports();
        attach::release(
            &crate::network::NetworkStore::new(&self.paths, &self.config),
            &self.record,
        );
    }

    /// Stop redirecting the published ports, then let go of the host ports.
    fn release_ports(&mut self) {
        if self.ports.is_some() {
            let nets = crate::network::NetworkStore::new(&self.paths, &self.config);
            let _ = nets.unpublish_ports(&self.record.id);
        }
        self.ports = None;
    }
}

/// Record the container's published ports and redirect them to its first network's
/// address. Runs between clone and go, so the ports answer once `run` returns.
fn publish(
    nets: &crate::network::NetworkStore,
    id: &str,
    held: &ports::hold::Held,
    a: &attach::Attachment,
) -> Result<(), String> {
    let me = std::process::id() as i32;
    let active = ports::active::Active {
        container: id.to_string(),
        monitor_pid: me,
        monitor_start_time: procfs::start_time(me).unwrap_or(0),
        container_ip: a.endpoint.ip,
        bridge: a.network.bridge.clone(),
        mappings: held.mappings.clone(),
    };
    attach::set_hairpin(id, &a.network)?;
    nets.publish_ports(&active).map_err(|e| e.to_string())
}
