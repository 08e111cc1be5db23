//! The connection to one Docker engine: dialled and version-negotiated on first use,
//! not when the backend is made, so a front end can start (and say what is wrong) while
//! the daemon is down, and a later call tries again. TLS material is read when the
//! connection is made, though: a missing file is the user's to fix, not the daemon's.

use bollard::{Docker, API_DEFAULT_VERSION};
use tokio::sync::OnceCell;

use super::endpoint::Endpoint;
use super::errors::from_docker;
use super::tls::TlsError;
use super::transport::Dialer;
use crate::backend::BackendError;

/// bollard's limit on waiting for a response's head. A `stop -t 600` or a removal of a
/// large container answers only when done, and the docker CLI sets no limit, so this is
/// only a backstop against a daemon that never answers.
const RESPONSE_TIMEOUT_SECS: u64 = 24 * 60 * 60;

/// How bollard reaches the engine: by itself (a socket, plain TCP) or through
/// berth's dialer (TLS, ssh).
enum Route {
    Unix(String),
    Http(String),
    Dialed(Dialer),
}

pub struct Connection {
    route: Route,
    url: String,
    client: OnceCell<Docker>,
}

impl Connection {
    /// A connection to `endpoint`; TLS files are read now (and named if they fail).
    pub fn new(endpoint: Endpoint) -> Result<Connection, TlsError> {
        let url = endpoint.url();
        let route = match endpoint {
            Endpoint::Unix(path) => Route::Unix(path.to_string_lossy().into_owned()),
            Endpoint::Tcp(addr) => Route::Http(addr),
            Endpoint::Tls { addr, tls } => Route::Dialed(Dialer::tls(&addr, &tls)?),
            Endpoint::Ssh(spec) => Route::Dialed(Dialer::Ssh(spec)),
        };
        Ok(Connection {
            route,
            url,
            client: OnceCell::new(),
        })
    }

    /// The daemon's address as the user gave it, for messages.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The client, at the API version both ends speak.
    pub async fn client(&self) -> Result<&Docker, BackendError> {
        self.client
            .get_or_try_init(|| async {
                let docker = match &self.route {
                    Route::Unix(path) => {
                        Docker::connect_with_unix(path, RESPONSE_TIMEOUT_SECS, API_DEFAULT_VERSION)
                    }
                    Route::Http(addr) => {
                        Docker::connect_with_http(addr, RESPONSE_TIMEOUT_SECS, API_DEFAULT_VERSION)
                    }
                    Route::Dialed(dialer) => {
                        dialer.client(RESPONSE_TIMEOUT_SECS, API_DEFAULT_VERSION)
                    }
                };
                // An older engine answers with its highest version and bollard steps
                // down to it; a newer one keeps bollard's.
                docker?.negotiate_version().await
            })
            .await
            .map_err(|e| from_docker(e, &self.url))
    }

    /// bollard's error as the interface's, naming this daemon.
    pub fn error(&self, e: bollard::errors::Error) -> BackendError {
        from_docker(e, &self.url)
    }
}
