//! The `oci-client` side: a client for one target (HTTP or HTTPS as the target says), the
//! credentials it presents, and its errors turned into Docker's words.

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::secrets::RegistryAuth;
use oci_client::Client;

use super::{Credentials, Target};
use crate::error::Error;

/// How many blobs move at once, each way (Docker's default).
pub const CONCURRENCY: usize = 3;

/// Use `ring` for TLS in this process unless something chose a provider before us.
/// (`ring` rather than rustls' default aws-lc: no C toolchain work of that size to build;
/// its lack of post-quantum key exchange is what the deprecation notes.)
#[allow(deprecated)]
pub fn tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

pub fn client(t: &Target) -> Client {
    tls_provider();
    let protocol = if t.insecure {
        ClientProtocol::HttpsExcept(vec![t.api_host().to_string()])
    } else {
        ClientProtocol::Https
    };
    Client::new(ClientConfig {
        protocol,
        // Platforms are chosen by the pull itself, from the list it keeps byte for byte.
        platform_resolver: None,
        // One streamed PUT per blob: oci-client's chunked upload sends each stream item
        // as its own PATCH request.
        use_monolithic_push: true,
        max_concurrent_upload: CONCURRENCY,
        max_concurrent_download: CONCURRENCY,
        user_agent: concat!("berth/", env!("CARGO_PKG_VERSION")),
        ..ClientConfig::default()
    })
}

pub fn registry_auth(creds: Option<&Credentials>) -> RegistryAuth {
    match creds {
        Some(c) => RegistryAuth::Basic(c.username.clone(), c.password.clone()),
        None => RegistryAuth::Anonymous,
    }
}

/// What was being done when a registry said no, for the wording of the error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Pull,
    Push,
}

/// A registry's refusal in Docker's words (distribution/errors.go): denied, unknown name
/// and unknown manifest are "not found" errors naming the reference; a 401 without
/// credentials is `no basic auth credentials`, with them `unauthorized: ...`.
pub fn translate(e: OciDistributionError, op: Op, t: &Target, has_creds: bool) -> Error {
    let name = t.familiar_name();
    let unauthorized = |url: &str| {
        if has_creds {
            Error::Runtime("unauthorized: authentication required".into())
        } else if t.is_docker_hub() && op == Op::Pull {
            Error::Missing(format!(
                "pull access denied for {name}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied"
            ))
        } else {
            Error::Runtime(format!("{url}: no basic auth credentials"))
        }
    };
    match e {
        OciDistributionError::UnauthorizedError { url } => unauthorized(&quote(&url)),
        OciDistributionError::ServerError { code: 401, url, .. } => unauthorized(&quote(&url)),
        OciDistributionError::AuthenticationFailure(reason) => {
            Error::Runtime(format!("unauthorized: {}", reason.trim()))
        }
        OciDistributionError::RegistryError { envelope, url } => {
            let Some(first) = envelope.errors.first() else {
                return Error::Runtime(format!("{}: registry error", quote(&url)));
            };
            let cause = format!("{}: {}", code_text(&first.code), first.message);
            match (&first.code, op) {
                (OciErrorCode::Denied, Op::Pull) => Error::Missing(format!(
                    "pull access denied for {name}, repository does not exist or may require 'docker login': {cause}"
                )),
                // Missing rather than NotFound: NotFound's text is berth's `No such ...`,
                // and these are Docker's own words (and its 404).
                (OciErrorCode::ManifestUnknown, Op::Pull) => Error::Missing(format!(
                    "manifest for {} not found: {cause}",
                    t.familiar_string()
                )),
                (OciErrorCode::NameUnknown, Op::Pull) => {
                    Error::Missing(format!("repository {name} not found: {cause}"))
                }
                (OciErrorCode::Unauthorized, _) => unauthorized(&quote(&url)),
                (OciErrorCode::Denied, Op::Push) => Error::Runtime(cause),
                _ => Error::Runtime(cause),
            }
        }
        OciDistributionError::ServerError { code, url, message } => Error::Runtime(format!(
            "{}: received unexpected HTTP status: {code} {}",
            quote(&url),
            message.trim()
        )),
        // A HEAD (blob exists?) answered 401 comes back as a plain HTTP error.
        OciDistributionError::RequestError(r)
            if r.status() == Some(reqwest::StatusCode::UNAUTHORIZED) =>
        {
            let url = r.url().map(|u| u.to_string()).unwrap_or_default();
            unauthorized(&format!("Head {url:?}"))
        }
        OciDistributionError::RequestError(r) => Error::Runtime(request_error(&r)),
        other => Error::Runtime(other.to_string()),
    }
}

/// `Get "URL"` as Go's HTTP client names a request in its errors.
fn quote(url: &str) -> String {
    format!("Get {url:?}")
}

/// A transport error with its causes (reqwest's own message says little).
pub fn request_error(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}

/// The error code as Docker's errcode prints it: `MANIFEST_UNKNOWN` -> `manifest unknown`.
fn code_text(c: &OciErrorCode) -> String {
    let s = serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{c:?}"));
    s.to_lowercase().replace('_', " ")
}
