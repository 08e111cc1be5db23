//! Certificates for TLS tests, made in Rust with rcgen (no openssl binary): a CA, a
//! server certificate for 127.0.0.1 and a client certificate signed by it, written as
//! the docker CLI expects them (`ca.pem`, `cert.pem`, `key.pem`).

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SanType,
};

/// A CA that signs server and client certificates.
pub struct Ca {
    pub cert_pem: String,
    cert: Certificate,
    key: KeyPair,
}

/// A certificate and its key, both PEM.
pub struct Pair {
    pub cert_pem: String,
    pub key_pem: String,
}

impl Ca {
    pub fn new(name: &str) -> Ca {
        let key = KeyPair::generate().expect("CA key");
        let mut params = CertificateParams::new(Vec::new()).expect("CA params");
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params.self_signed(&key).expect("self-signed CA");
        Ca {
            cert_pem: cert.pem(),
            cert,
            key,
        }
    }

    /// A server certificate for 127.0.0.1 (an IP SAN, as a client dialling the
    /// address checks) and `localhost`.
    pub fn server(&self) -> Pair {
        let mut params =
            CertificateParams::new(vec!["localhost".to_string()]).expect("server params");
        params
            .subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        params
            .distinguished_name
            .push(DnType::CommonName, "127.0.0.1");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        self.sign(params)
    }

    /// A client certificate (`ExtKeyUsage` clientAuth, which Go's server checks).
    pub fn client(&self) -> Pair {
        let mut params = CertificateParams::new(Vec::new()).expect("client params");
        params
            .distinguished_name
            .push(DnType::CommonName, "berth-test-client");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        self.sign(params)
    }

    fn sign(&self, params: CertificateParams) -> Pair {
        let key = KeyPair::generate().expect("key");
        let cert = params.signed_by(&key, &self.cert, &self.key).expect("sign");
        Pair {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }

    /// `dir/ca.pem`, `dir/cert.pem` and `dir/key.pem`: this CA and `pair`, the docker
    /// CLI's `DOCKER_CERT_PATH` layout. Returns the three paths in that order.
    pub fn write_docker_dir(&self, dir: &Path, pair: &Pair) -> [PathBuf; 3] {
        std::fs::create_dir_all(dir).expect("cert dir");
        let paths = [
            dir.join("ca.pem"),
            dir.join("cert.pem"),
            dir.join("key.pem"),
        ];
        for (p, text) in paths
            .iter()
            .zip([&self.cert_pem, &pair.cert_pem, &pair.key_pem])
        {
            std::fs::write(p, text).expect("write a PEM file");
        }
        paths
    }
}
