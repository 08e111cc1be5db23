//! The `oci-client` side: a client for one target (HTTP or HTTPS as the target says), the
//! credentials it presents, how the registry took them, and its errors turned into
//! Docker's words.

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, RegistryOperation};

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

impl Op {
    fn registry_operation(self) -> RegistryOperation {
        match self {
            Op::Pull => RegistryOperation::Pull,
            Op::Push => RegistryOperation::Push,
        }
    }
}

/// How we stand with the registry, which decides what its 401 means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// No credentials, and no token: the registry wants basic auth, or nothing.
    Anonymous,
    /// Credentials sent as basic auth.
    Basic,
    /// A bearer token from the registry's token server, for our credentials or for
    /// nobody (token servers hand anonymous callers tokens too).
    Token,
}

impl Caller {
    /// Before the registry has been asked.
    pub fn presenting(creds: bool) -> Caller {
        if creds {
            Caller::Basic
        } else {
            Caller::Anonymous
        }
    }
}

/// Settle who we are with the registry before the first request, as Docker does: its
/// `/v2/` challenge, and for a token registry a token for `op` on the target's repository
/// (`oci-client` keeps it for the requests that follow). Says how we now stand.
pub async fn authenticate(
    client: &Client,
    t: &Target,
    auth: &RegistryAuth,
    op: Op,
    creds: bool,
) -> Result<Caller, Error> {
    let before = Caller::presenting(creds);
    match client.auth(&t.oci(), auth, op.registry_operation()).await {
        Ok(Some(_token)) => Ok(Caller::Token),
        Ok(None) => Ok(before),
        Err(e) => Err(translate(e, op, t, before)),
    }
}

/// Docker's words when a token does not allow what was asked.
const DENIED: &str = "denied: requested access to the resource is denied";

/// A registry's refusal in Docker's words (distribution/errors.go): denied, unknown name
/// and unknown manifest are "not found" errors naming the reference. A 401 depends on how
/// we stood: with a token it is the token's scope falling short (the challenge's
/// `insufficient_scope`, which Docker reports as `denied`), with basic credentials
/// `unauthorized: ...`, with neither `no basic auth credentials`.
pub fn translate(e: OciDistributionError, op: Op, t: &Target, caller: Caller) -> Error {
    let name = t.familiar_name();
    let unauthorized = |url: &str| {
        match (caller, op) {
        (Caller::Token, Op::Pull) => Error::Missing(format!(
            "pull access denied for {name}, repository does not exist or may require 'docker login': {DENIED}"
        )),
        (Caller::Token, Op::Push) => Error::Runtime(DENIED.into()),
        (Caller::Basic, _) => Error::Runtime("unauthorized: authentication required".into()),
        (Caller::Anonymous, _) => Error::Runtime(format!("{url}: no basic auth credentials")),
    }
    };
    match e {
        OciDistributionError::UnauthorizedError { url } => unauthorized(&quote(&url)),
        OciDistributionError::ServerError { code: 401, url, .. } => unauthorized(&quote(&url)),
        // The token server said no (oci-client keeps its body, not its status).
        OciDistributionError::AuthenticationFailure(body) => Error::Runtime(token_refusal(&body)),
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
    spoken(&s)
}

/// `MANIFEST_UNKNOWN` -> `manifest unknown`.
fn spoken(code: &str) -> String {
    code.to_lowercase().replace('_', " ")
}

/// A token server's refusal (the body of its 401) as Docker reads it
/// (distribution's `parseHTTPErrorResponse`): Docker Hub's `{"details": "..."}`, or an
/// error list whose first entry is `code: message`; anything else is
/// `unauthorized: authentication required`.
pub fn token_refusal(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    if let Some(details) = v["details"].as_str().filter(|d| !d.is_empty()) {
        return format!("unauthorized: {details}");
    }
    let first = &v["errors"][0];
    match (first["code"].as_str(), first["message"].as_str()) {
        (Some(code), Some(message)) => format!("{}: {message}", spoken(code)),
        _ => "unauthorized: authentication required".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn target(r: &str) -> Target {
        Target::parse(r, &Config::default()).unwrap()
    }

    fn unauthorized() -> OciDistributionError {
        OciDistributionError::UnauthorizedError {
            url: "http://127.0.0.1:5000/v2/team/app/manifests/1".into(),
        }
    }

    #[test]
    fn a_401_reads_as_how_we_stood() {
        let t = target("127.0.0.1:5000/team/app:1");
        let msg = |op, caller| translate(unauthorized(), op, &t, caller).to_string();
        assert_eq!(
            msg(Op::Pull, Caller::Token),
            "pull access denied for 127.0.0.1:5000/team/app, repository does not exist or may require 'docker login': denied: requested access to the resource is denied"
        );
        assert!(matches!(
            translate(unauthorized(), Op::Pull, &t, Caller::Token),
            Error::Missing(_)
        ));
        assert_eq!(msg(Op::Push, Caller::Token), DENIED);
        assert_eq!(
            msg(Op::Push, Caller::Basic),
            "unauthorized: authentication required"
        );
        assert_eq!(
            msg(Op::Push, Caller::Anonymous),
            "Get \"http://127.0.0.1:5000/v2/team/app/manifests/1\": no basic auth credentials"
        );
        // Docker Hub is a token registry like any other.
        let hub = target("busybox");
        assert!(translate(unauthorized(), Op::Pull, &hub, Caller::Token)
            .to_string()
            .starts_with("pull access denied for busybox, "));
    }

    #[test]
    fn token_server_refusals_in_dockers_words() {
        assert_eq!(
            token_refusal(r#"{"details":"incorrect username or password"}"#),
            "unauthorized: incorrect username or password"
        );
        assert_eq!(
            token_refusal(
                r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}"#
            ),
            "unauthorized: authentication required"
        );
        assert_eq!(
            token_refusal(r#"{"errors":[{"code":"DENIED","message":"account disabled"}]}"#),
            "denied: account disabled"
        );
        for other in ["", "<html>401</html>", "{}", r#"{"errors":[]}"#, "null"] {
            assert_eq!(
                token_refusal(other),
                "unauthorized: authentication required",
                "{other}"
            );
        }
        let e = translate(
            OciDistributionError::AuthenticationFailure(
                r#"{"details":"incorrect username or password"}"#.into(),
            ),
            Op::Push,
            &target("127.0.0.1:5000/x"),
            Caller::Basic,
        );
        assert_eq!(
            e.to_string(),
            "unauthorized: incorrect username or password"
        );
    }
}
