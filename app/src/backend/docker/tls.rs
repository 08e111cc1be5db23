//! TLS to a Docker engine over TCP, set up as the docker CLI sets it up: the server is
//! verified against the given CA alone (a context without a CA falls back on the
//! system's roots, as Go's nil `RootCAs` does), or not verified at all (`--tls`
//! without `--tlsverify`, a context's `skip-tls-verify`); a client certificate is
//! presented when one is given. rustls with ring, the stack the registry client already
//! builds, so no second TLS library comes in.
//!
//! Every file is read here, when the backend is made, so a missing or broken one is
//! named before anything is dialled.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// What TLS to speak to one engine, before any file is read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TlsSettings {
    /// Check the server's certificate chain and its name.
    pub verify: bool,
    /// Trust only this CA (PEM) when verifying; None: the system's roots.
    pub ca: Option<PathBuf>,
    /// The client's certificate (PEM), presented when the server asks for one.
    pub cert: Option<PathBuf>,
    /// The client certificate's private key (PEM).
    pub key: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("could not read {what} {}: {source}", path.display())]
    Read {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{what} {}: {detail}", path.display())]
    Parse {
        what: &'static str,
        path: PathBuf,
        detail: String,
    },
    #[error("a TLS client certificate needs both a certificate and a key (only the {given} is given: {})", path.display())]
    HalfPair { given: &'static str, path: PathBuf },
    #[error("the system's CA certificates could not be loaded: {0}")]
    SystemRoots(String),
    #[error("TLS client certificate {} with key {}: {source}", cert.display(), key.display())]
    KeyPair {
        cert: PathBuf,
        key: PathBuf,
        source: rustls::Error,
    },
    #[error("TLS setup: {0}")]
    Setup(rustls::Error),
    #[error("TLS: {0}")]
    ServerName(String),
}

/// `ring`, as the registry client uses (its lack of post-quantum key exchange is what
/// the deprecation notes; aws-lc would be a second, C-built crypto library).
#[allow(deprecated)]
fn provider() -> CryptoProvider {
    rustls::crypto::ring::default_provider()
}

/// The rustls configuration `settings` describe, every file read and checked.
pub fn client_config(settings: &TlsSettings) -> Result<Arc<ClientConfig>, TlsError> {
    let provider = Arc::new(provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(TlsError::Setup)?;
    let builder = if settings.verify {
        let roots = match &settings.ca {
            Some(ca) => ca_roots(ca)?,
            None => system_roots()?,
        };
        builder.with_root_certificates(roots)
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoServerVerification(provider)))
    };
    let config = match (&settings.cert, &settings.key) {
        (Some(cert), Some(key)) => {
            let chain = certificates("TLS certificate", cert)?;
            let private = private_key(key)?;
            builder
                .with_client_auth_cert(chain, private)
                .map_err(|source| TlsError::KeyPair {
                    cert: cert.clone(),
                    key: key.clone(),
                    source,
                })?
        }
        (Some(path), None) => {
            return Err(TlsError::HalfPair {
                given: "certificate",
                path: path.clone(),
            })
        }
        (None, Some(path)) => {
            return Err(TlsError::HalfPair {
                given: "key",
                path: path.clone(),
            })
        }
        (None, None) => builder.with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

/// The name the server's certificate must carry: the host part of `host:port`, an IP
/// address checked against the certificate's IP SANs as Go checks it.
pub fn server_name(addr: &str) -> Result<ServerName<'static>, String> {
    let host = match addr.rsplit_once(':') {
        Some((h, port)) if port.parse::<u16>().is_ok() => h,
        _ => addr,
    };
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    ServerName::try_from(host.to_string())
        .map_err(|e| format!("{host:?} cannot name a TLS server: {e}"))
}

fn read(what: &'static str, path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        what,
        path: path.to_path_buf(),
        source,
    })
}

fn certificates(what: &'static str, path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem = read(what, path)?;
    let parse = |detail: String| TlsError::Parse {
        what,
        path: path.to_path_buf(),
        detail,
    };
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| parse(e.to_string()))?;
    if certs.is_empty() {
        return Err(parse("no PEM certificate in it".into()));
    }
    Ok(certs)
}

fn ca_roots(path: &Path) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore::empty();
    for cert in certificates("CA certificate", path)? {
        roots.add(cert).map_err(|e| TlsError::Parse {
            what: "CA certificate",
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
    }
    Ok(roots)
}

fn system_roots() -> Result<RootCertStore, TlsError> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    let (added, _ignored) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        let why = found
            .errors
            .first()
            .map(ToString::to_string)
            .unwrap_or_else(|| "none found".into());
        return Err(TlsError::SystemRoots(why));
    }
    Ok(roots)
}

fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let pem = read("TLS key", path)?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| TlsError::Parse {
        what: "TLS key",
        path: path.to_path_buf(),
        detail: match e {
            rustls::pki_types::pem::Error::NoItemsFound => "no PEM private key in it".into(),
            other => other.to_string(),
        },
    })
}

/// Go's `InsecureSkipVerify`: any certificate chain and name are accepted, but the
/// handshake's signatures are still checked, so the session is at least bound to the
/// key the server showed.
#[derive(Debug)]
struct NoServerVerification(Arc<CryptoProvider>);

impl ServerCertVerifier for NoServerVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_names_are_the_host_part() {
        let name = |a: &str| server_name(a).map(|n| n.to_str().into_owned());
        assert_eq!(name("127.0.0.1:2376").as_deref(), Ok("127.0.0.1"));
        assert_eq!(name("dock.example:2376").as_deref(), Ok("dock.example"));
        assert_eq!(name("[::1]:2376").as_deref(), Ok("::1"));
        assert!(server_name("bad host:1").is_err());
    }

    #[test]
    fn missing_and_broken_files_are_named() {
        let d = tempfile::tempdir().unwrap();
        let ca = d.path().join("ca.pem");
        let settings = TlsSettings {
            verify: true,
            ca: Some(ca.clone()),
            ..Default::default()
        };
        let e = client_config(&settings).unwrap_err().to_string();
        assert!(
            e.contains("CA certificate") && e.contains(&ca.display().to_string()),
            "{e}"
        );
        std::fs::write(&ca, "not a certificate").unwrap();
        let e = client_config(&settings).unwrap_err().to_string();
        assert!(e.contains(&ca.display().to_string()), "{e}");

        let key = d.path().join("key.pem");
        let half = TlsSettings {
            verify: false,
            key: Some(key.clone()),
            ..Default::default()
        };
        let e = client_config(&half).unwrap_err().to_string();
        assert!(e.contains("only the key") && e.contains("key.pem"), "{e}");
    }

    #[test]
    fn without_verification_no_file_is_needed() {
        assert!(client_config(&TlsSettings::default()).is_ok());
    }
}
