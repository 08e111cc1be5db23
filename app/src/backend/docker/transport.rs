//! bollard's custom transport for the engines berth dials itself: TCP with berth's own
//! TLS setup, and ssh. Each request gets a connection of its own, as bollard's own
//! clients do (they keep no idle connections), spoken as HTTP/1.1 with upgrades, so
//! hijacked streams (attach, exec) and long answers (logs -f, events) work as they do
//! on a socket.
//!
//! A failure to reach the engine is a `DialError`, carried through bollard inside its
//! I/O error and turned into a message naming the engine in `errors`.

use std::sync::Arc;
use std::time::Duration;

use bollard::errors::Error as DockerError;
use bollard::{ClientVersion, Docker};
use hyper::body::{Body, Incoming};
use hyper::header::{HeaderValue, HOST};
use hyper::{Request, Response, Uri};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use super::ssh::{self, SshError, SshSpec};
use super::tls::{self, TlsError, TlsSettings};

/// How long a TCP connect and TLS handshake may take (the docker CLI's dialer's 30 s);
/// the answer itself has bollard's own, much longer, limit.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// How one connection to the engine is made.
#[derive(Clone)]
pub enum Dialer {
    Tls {
        addr: String,
        name: ServerName<'static>,
        config: Arc<rustls::ClientConfig>,
    },
    Ssh(SshSpec),
}

/// Why the engine could not be reached (or stopped answering).
#[derive(Debug, thiserror::Error)]
pub enum DialError {
    #[error("dial tcp {addr}: {source}")]
    Connect {
        addr: String,
        source: std::io::Error,
    },
    #[error("TLS: {0}{hint}", hint = tls_hint(.0))]
    Tls(rustls::Error),
    #[error("{0}")]
    Ssh(#[from] SshError),
    #[error("{0}")]
    Http(String),
}

impl Dialer {
    /// TLS to `addr` (`host:port`) as `settings` say; every file is read now.
    pub fn tls(addr: &str, settings: &TlsSettings) -> Result<Dialer, TlsError> {
        let config = tls::client_config(settings)?;
        let name = tls::server_name(addr).map_err(TlsError::ServerName)?;
        Ok(Dialer::Tls {
            addr: addr.to_string(),
            name,
            config,
        })
    }

    /// A bollard client whose every request goes through this dialer.
    pub fn client(
        &self,
        timeout_secs: u64,
        version: &ClientVersion,
    ) -> Result<Docker, DockerError> {
        // Only the Host header is taken from this; the connection is the dialer's.
        let base = match &self {
            Dialer::Tls { addr, .. } => format!("https://{addr}"),
            Dialer::Ssh(_) => "http://docker".to_string(),
        };
        let dialer = Arc::new(self.clone());
        Docker::connect_with_custom_transport(
            move |req: bollard::BollardRequest| {
                let dialer = dialer.clone();
                async move { dialer.request(req).await.map_err(into_docker) }
            },
            Some(base),
            timeout_secs,
            version,
        )
    }

    async fn request<B>(&self, req: Request<B>) -> Result<Response<Incoming>, DialError>
    where
        B: Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        match self {
            Dialer::Tls { addr, name, config } => {
                let dial = async {
                    let tcp = TcpStream::connect(addr.as_str()).await.map_err(|source| {
                        DialError::Connect {
                            addr: addr.clone(),
                            source,
                        }
                    })?;
                    tokio_rustls::TlsConnector::from(config.clone())
                        .connect(name.clone(), tcp)
                        .await
                        .map_err(|e| io_error(e, addr))
                };
                let stream =
                    tokio::time::timeout(CONNECT_TIMEOUT, dial)
                        .await
                        .map_err(|_| DialError::Connect {
                            addr: addr.clone(),
                            source: std::io::ErrorKind::TimedOut.into(),
                        })??;
                exchange(stream, req).await.map_err(hyper_error)
            }
            Dialer::Ssh(spec) => {
                let (conn, watch) = ssh::connect(spec)?;
                match exchange(conn, req).await {
                    Ok(r) => Ok(r),
                    // ssh going away is the likely cause; its own words say why.
                    Err(e) => match watch.exit().await {
                        Some(exited) => Err(DialError::Ssh(exited)),
                        None => Err(hyper_error(e)),
                    },
                }
            }
        }
    }
}

/// One request on a fresh connection `io`. The connection runs as a task of its own
/// until the answer is read (or, for an upgraded stream, until that stream is
/// dropped); the request is sent in origin form with a Host header, as any HTTP/1.1
/// client sends it.
async fn exchange<I, B>(io: I, req: Request<B>) -> Result<Response<Incoming>, hyper::Error>
where
    I: AsyncRead + AsyncWrite + Send + Unpin + 'static,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let (mut parts, body) = req.into_parts();
    if let Some(authority) = parts.uri.authority() {
        if let Ok(v) = HeaderValue::from_str(authority.as_str()) {
            parts.headers.insert(HOST, v);
        }
    }
    if let Some(origin) = parts
        .uri
        .path_and_query()
        .and_then(|pq| pq.as_str().parse::<Uri>().ok())
    {
        parts.uri = origin;
    }
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io)).await?;
    tokio::spawn(async move {
        // Its errors reach the caller through the response or its body.
        let _ = conn.with_upgrades().await;
    });
    sender.send_request(Request::from_parts(parts, body)).await
}

/// What a server's alert means here: a daemon that refuses our certificate (or wants
/// one) says so only with an alert's name.
fn tls_hint(e: &rustls::Error) -> &'static str {
    use rustls::AlertDescription as A;
    match e {
        rustls::Error::AlertReceived(
            A::BadCertificate
            | A::CertificateRequired
            | A::UnknownCA
            | A::CertificateUnknown
            | A::UnsupportedCertificate,
        ) => " (the daemon did not accept the client certificate)",
        _ => "",
    }
}

/// bollard carries a dial error inside its I/O error; `errors::from_docker` takes it
/// out again.
fn into_docker(e: DialError) -> DockerError {
    DockerError::IOError {
        err: std::io::Error::other(e),
    }
}

/// A connection's I/O error: rustls' own when the TLS layer refused.
fn io_error(e: std::io::Error, addr: &str) -> DialError {
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        Some(tls) => DialError::Tls(tls.clone()),
        None => DialError::Connect {
            addr: addr.to_string(),
            source: e,
        },
    }
}

/// hyper's error, its causes spelled out (hyper's own text only says which step
/// failed); a TLS alert from the server (a refused client certificate) is TLS's.
fn hyper_error(e: hyper::Error) -> DialError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(&e);
    let mut text = e.to_string();
    while let Some(s) = source {
        // rustls' error sits inside an I/O error, or is the cause itself.
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if let Some(tls) = io.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
                return DialError::Tls(tls.clone());
            }
        }
        if let Some(tls) = s.downcast_ref::<rustls::Error>() {
            return DialError::Tls(tls.clone());
        }
        text = format!("{text}: {s}");
        source = s.source();
    }
    DialError::Http(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_client_certificate_is_said_so() {
        let e = DialError::Tls(rustls::Error::AlertReceived(
            rustls::AlertDescription::BadCertificate,
        ));
        assert_eq!(
            e.to_string(),
            "TLS: received fatal alert: BadCertificate (the daemon did not accept the client certificate)"
        );
        let e = DialError::Tls(rustls::Error::InvalidCertificate(
            rustls::CertificateError::UnknownIssuer,
        ));
        assert_eq!(
            e.to_string(),
            "TLS: invalid peer certificate: UnknownIssuer"
        );
    }
}
