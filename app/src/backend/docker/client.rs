//! The connection to one Docker engine: dialled and version-negotiated on first use,
//! not when the backend is made, so a front end can start (and say what is wrong) while
//! the daemon is down, and a later call tries again.

use bollard::{Docker, API_DEFAULT_VERSION};
use tokio::sync::OnceCell;

use super::endpoint::Endpoint;
use super::errors::from_docker;
use crate::backend::BackendError;

/// bollard's limit on waiting for a response's head. A `stop -t 600` or a removal of a
/// large container answers only when done, and the docker CLI sets no limit, so this is
/// only a backstop against a daemon that never answers.
const RESPONSE_TIMEOUT_SECS: u64 = 24 * 60 * 60;

pub struct Connection {
    endpoint: Endpoint,
    url: String,
    client: OnceCell<Docker>,
}

impl Connection {
    pub fn new(endpoint: Endpoint) -> Connection {
        Connection {
            url: endpoint.url(),
            endpoint,
            client: OnceCell::new(),
        }
    }

    /// The daemon's address as the user gave it, for messages.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The client, at the API version both ends speak.
    pub async fn client(&self) -> Result<&Docker, BackendError> {
        self.client
            .get_or_try_init(|| async {
                let docker = match &self.endpoint {
                    Endpoint::Unix(path) => Docker::connect_with_unix(
                        &path.to_string_lossy(),
                        RESPONSE_TIMEOUT_SECS,
                        API_DEFAULT_VERSION,
                    ),
                    Endpoint::Tcp(addr) => {
                        Docker::connect_with_http(addr, RESPONSE_TIMEOUT_SECS, API_DEFAULT_VERSION)
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
