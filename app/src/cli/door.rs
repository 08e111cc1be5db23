//! The CLI's one door to a backend: the engine interface on a one-thread runtime. A
//! command calls `door.call(door.backend().container_list(...))` and formats what comes
//! back; errors become exit codes and lines on stderr here, at the edge.
//!
//! The runtime has one thread and the local backend runs the engine's calls inline, so
//! a `run` is still a single-threaded process that may fork its container's monitor.

use std::future::Future;
use std::io::Read;

use berth_engine::Engine;
use bytes::Bytes;

use super::Failure;
use crate::backend::docker::{DockerBackend, Endpoint};
use crate::backend::local::{LocalBackend, Threads};
use crate::backend::{Backend, BackendError, ByteStream, ErrorKind};

pub struct Door {
    rt: tokio::runtime::Runtime,
    backend: Box<dyn Backend>,
    /// The context the engine was chosen by, for `info`.
    pub context: String,
    /// Berth's own engine (not a Docker engine's): what only it is, front ends say.
    local: bool,
}

impl Door {
    /// The local engine behind the door.
    pub fn local(engine: &Engine) -> Result<Door, Failure> {
        Ok(Door {
            rt: one_thread()?,
            backend: Box::new(LocalBackend::new(engine.clone(), Threads::Inline)),
            context: crate::context::LOCAL.into(),
            local: true,
        })
    }

    /// A Docker engine behind the door (`-H`, `DOCKER_HOST`). One thread is enough:
    /// the engine does the work, this process only waits on its answers. TLS files
    /// are read here, so a missing one is named before anything else happens.
    pub fn docker(endpoint: Endpoint) -> Result<Door, Failure> {
        let backend =
            DockerBackend::new(endpoint).map_err(|e| Failure::from(format!("berth: {e}")))?;
        Ok(Door {
            rt: one_thread()?,
            backend: Box::new(backend),
            context: crate::context::DEFAULT.into(),
            local: false,
        })
    }

    /// The local engine on a multi-threaded runtime whose blocking calls go to tokio's
    /// pool, for commands that act on many containers at once (compose): a stop that
    /// waits out its grace period does not hold up the others. Monitors are then
    /// re-executed, never forked from this multi-threaded process.
    pub fn local_pool(engine: &Engine) -> Result<Door, Failure> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| Failure::from(format!("berth: start the runtime: {e}")))?;
        let engine = Engine {
            monitor_launch: berth_engine::container::start::MonitorLaunch::Exec,
            ..engine.clone()
        };
        Ok(Door {
            rt,
            backend: Box::new(LocalBackend::new(engine, Threads::Pool)),
            context: crate::context::LOCAL.into(),
            local: true,
        })
    }

    /// Whether the engine is Berth's own (its swarm spans this host only).
    pub fn is_local(&self) -> bool {
        self.local
    }

    pub fn backend(&self) -> &dyn Backend {
        self.backend.as_ref()
    }

    /// Run one interface call to its end.
    pub fn call<T>(
        &self,
        f: impl Future<Output = Result<T, BackendError>>,
    ) -> Result<T, BackendError> {
        self.rt.block_on(f)
    }

    /// Run any future (a stream's pump) to its end.
    pub fn block_on<T>(&self, f: impl Future<Output = T>) -> T {
        self.rt.block_on(f)
    }
}

fn one_thread() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::from(format!("berth: start the runtime: {e}")))
}

/// An interface error as Docker's CLI prints a daemon's answer.
impl From<BackendError> for Failure {
    fn from(e: BackendError) -> Self {
        Failure {
            code: 1,
            message: daemon_said(&e),
        }
    }
}

/// A daemon's answer as Docker's CLI prints it; a daemon that gave none is the
/// client's own message (`Cannot connect to the Docker daemon at ...`).
fn daemon_said(e: &BackendError) -> String {
    if e.kind == ErrorKind::Unreachable {
        e.message.clone()
    } else {
        format!("Error response from daemon: {}", e.message)
    }
}

/// How Docker's CLI words an error of an object command: a missing object is the
/// client's own `Error: No such volume: x`, anything else comes from the daemon.
pub fn object_failure(e: &BackendError) -> String {
    if e.kind == ErrorKind::NotFound {
        format!("Error: {}", e.message)
    } else {
        daemon_said(e)
    }
}

/// How Docker's CLI words a failed lookup of one named object (`inspect`, `rm`): a
/// missing one is its own `Error: No such network: x`, whatever the daemon said;
/// anything else is the daemon's answer.
pub fn missing_object(kind: &str, name: &str, e: &BackendError) -> String {
    if e.kind == ErrorKind::NotFound {
        format!("Error: No such {kind}: {name}")
    } else {
        daemon_said(e)
    }
}

/// Bytes read per chunk of an upload.
const CHUNK: usize = 64 * 1024;

/// A blocking reader (a file, stdin) as the byte stream an upload takes. A thread of
/// its own reads it, so the runtime's one thread never waits on a slow pipe; a read
/// error ends the stream with that error.
pub fn read_stream(mut r: impl Read + Send + 'static) -> ByteStream {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Bytes, BackendError>>(4);
    std::thread::spawn(move || loop {
        let mut buf = vec![0; CHUNK];
        let item = match r.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => {
                buf.truncate(n);
                Ok(Bytes::from(buf))
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => Err(BackendError::internal(format!("read: {e}"))),
        };
        let stop = item.is_err();
        // The reader is gone (the call failed early): nothing more to read for.
        if tx.blocking_send(item).is_err() || stop {
            return;
        }
    });
    Box::pin(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx)))
}
