//! `berth system service`: the engine interface served as the Docker Engine API, so the
//! docker CLI, docker-compose, docker-py and in-container watchers drive Berth. Routes
//! are thin: they read Docker's query and body, call the `Backend`, and write Docker's
//! answer. The server holds no state of its own; every request goes to the engine,
//! which the CLI and the TUI share at the same moment.

mod compat;
mod error;
mod frame;
mod hijack;
mod listen;
mod query;
mod routes;
mod version;

use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderValue, Request};
use axum::Router;
use tower::Layer;

pub use listen::Address;

use crate::backend::Backend;

/// What every route shares.
#[derive(Clone)]
pub struct AppState {
    pub backend: Arc<dyn Backend>,
}

/// How the service runs.
pub struct ServeOptions {
    pub address: Address,
    /// Group that may use the unix socket (besides root).
    pub group: Option<String>,
    /// Exit after this long with no connection; `None` serves until stopped.
    pub idle: Option<Duration>,
}

/// Headers Docker's daemon puts on every answer (clients negotiate from `Api-Version`),
/// and the refusal of a version Berth does not speak.
async fn docker_headers(
    req: Request<axum::body::Body>,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let refused = req.extensions().get::<version::VersionRefused>().cloned();
    let mut res = match refused {
        Some(r) => error::ApiError::bad_request(r.0).into_response(),
        None => next.run(req).await,
    };
    let h = res.headers_mut();
    let v = |s: &str| HeaderValue::from_str(s).unwrap_or(HeaderValue::from_static(""));
    h.insert("Api-Version", v(crate::backend::local::API_VERSION));
    h.insert("Docker-Experimental", HeaderValue::from_static("false"));
    h.insert("Ostype", HeaderValue::from_static("linux"));
    h.insert(
        "Server",
        v(&format!("Berth/{} (linux)", env!("CARGO_PKG_VERSION"))),
    );
    res
}

pub fn router(backend: Arc<dyn Backend>) -> Router {
    routes::all()
        .layer(axum::middleware::from_fn(docker_headers))
        .with_state(AppState { backend })
}

/// Serve until SIGTERM/SIGINT, or until `idle` passes with no connection open.
pub async fn serve(backend: Arc<dyn Backend>, opts: ServeOptions) -> Result<(), String> {
    let app = router(backend);
    // The version prefix comes off before routing (see `version`).
    let app = tower::util::MapRequestLayer::new(version::rewrite).layer(app);
    let conns = listen::Connections::default();
    // The signal starts a graceful shutdown; streams that never end on their own (an
    // `events` follower) get a short grace, then the server stops regardless.
    let stopping = std::sync::Arc::new(tokio::sync::Notify::new());
    let shutdown = {
        let (conns, stopping) = (conns.clone(), stopping.clone());
        async move {
            shutdown_signal(conns, opts.idle).await;
            stopping.notify_waiters();
            stopping.notify_one();
        }
    };
    let grace = async move {
        stopping.notified().await;
        tokio::time::sleep(Duration::from_secs(2)).await;
    };
    match &opts.address {
        Address::Unix(path) => {
            let listener = listen::bind_unix(path, opts.group.as_deref())?;
            let l = listen::CountingUnix {
                listener,
                conns: conns.clone(),
            };
            let served = axum::serve(
                l,
                axum::ServiceExt::<Request<axum::body::Body>>::into_make_service(app),
            )
            .with_graceful_shutdown(shutdown);
            let served = tokio::select! {
                r = served => r,
                _ = grace => Ok(()),
            };
            let _ = std::fs::remove_file(path);
            served.map_err(|e| format!("serve {}: {e}", path.display()))
        }
        Address::Tcp(addr) => {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| format!("listen on {addr}: {e}"))?;
            let l = listen::CountingTcp {
                listener,
                conns: conns.clone(),
            };
            let served = axum::serve(
                l,
                axum::ServiceExt::<Request<axum::body::Body>>::into_make_service(app),
            )
            .with_graceful_shutdown(shutdown);
            tokio::select! {
                r = served => r.map_err(|e| format!("serve {addr}: {e}")),
                _ = grace => Ok(()),
            }
        }
    }
}

/// Resolves on SIGTERM or SIGINT, or once no connection has been open for `idle`.
async fn shutdown_signal(conns: listen::Connections, idle: Option<Duration>) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        return std::future::pending().await;
    };
    let idle_out = async {
        let Some(idle) = idle else {
            return std::future::pending().await;
        };
        let tick = Duration::from_millis(250).min(idle);
        let mut quiet = Duration::ZERO;
        loop {
            tokio::time::sleep(tick).await;
            if conns.open() == 0 {
                quiet += tick;
                if quiet >= idle {
                    return;
                }
            } else {
                quiet = Duration::ZERO;
            }
        }
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
        _ = idle_out => {}
    }
}
