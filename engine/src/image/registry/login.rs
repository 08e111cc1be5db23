//! `login`: check credentials against a registry as Docker does: `GET /v2/`, and on a
//! 401 answer its challenge (basic: the same request with the credentials; bearer: a
//! token from the realm for the account, then `/v2/` with it). This part talks to the
//! registry with `reqwest` directly: `oci-client` would take basic credentials on trust
//! and only find them wrong at the first pull.

use reqwest::header::WWW_AUTHENTICATE;
use reqwest::StatusCode;

use super::challenge::Challenge;
use super::client::{request_error, tls_provider, token_refusal};
use super::{Credentials, Target};
use crate::error::{Error, Result};
use crate::Engine;

fn failed(url: &str, status: StatusCode) -> Error {
    Error::Runtime(format!(
        "login attempt to {url} failed with status: {status}"
    ))
}

fn transport(url: &str, e: reqwest::Error) -> Error {
    Error::Runtime(format!("Get {url:?}: {}", request_error(&e)))
}

impl Engine {
    /// Check `creds` against the registry `server` (`127.0.0.1:5000`, `docker.io`, or
    /// none for Docker Hub). Ok means the registry accepted them; storing them is
    /// [`AuthFile::store`](super::AuthFile::store)'s, and `Login Succeeded` the caller's.
    pub async fn registry_login(&self, server: &str, creds: &Credentials) -> Result<()> {
        let t = Target::registry(server, &self.config)?;
        tls_provider();
        let http = reqwest::Client::builder()
            .user_agent(concat!("berth/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Runtime(format!("HTTP client: {}", request_error(&e))))?;
        let url = t.v2_url();
        let res = http
            .get(&url)
            .send()
            .await
            .map_err(|e| transport(&url, e))?;
        match res.status() {
            StatusCode::OK => return Ok(()),
            StatusCode::UNAUTHORIZED => {}
            s => return Err(failed(&url, s)),
        }
        let challenge = res
            .headers()
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|h| h.to_str().ok().and_then(Challenge::parse))
            .next();
        let res = match challenge {
            Some(Challenge::Bearer { realm, service }) => {
                let mut query = vec![("account", creds.username.clone())];
                query.extend(service.map(|s| ("service", s)));
                let tok = http
                    .get(&realm)
                    .query(&query)
                    .basic_auth(&creds.username, Some(&creds.password))
                    .send()
                    .await
                    .map_err(|e| transport(&realm, e))?;
                if tok.status() == StatusCode::UNAUTHORIZED {
                    // The token server's own reason, as Docker prints it.
                    let body = tok.text().await.unwrap_or_default();
                    return Err(Error::Runtime(format!(
                        "Get {url:?}: {}",
                        token_refusal(&body)
                    )));
                }
                if !tok.status().is_success() {
                    return Err(failed(&realm, tok.status()));
                }
                let body: serde_json::Value = tok
                    .json()
                    .await
                    .map_err(|e| Error::Runtime(format!("token from {realm}: {e}")))?;
                let token = body["token"]
                    .as_str()
                    .or_else(|| body["access_token"].as_str())
                    .ok_or_else(|| Error::Runtime(format!("token from {realm}: no token")))?;
                http.get(&url).bearer_auth(token).send().await
            }
            // Basic, or a challenge we cannot read: try the credentials as basic auth.
            _ => {
                http.get(&url)
                    .basic_auth(&creds.username, Some(&creds.password))
                    .send()
                    .await
            }
        }
        .map_err(|e| transport(&url, e))?;
        match res.status() {
            StatusCode::OK => Ok(()),
            s => Err(failed(&url, s)),
        }
    }
}
