//! Which TLS a Docker engine is spoken to with, derived as the docker CLI derives it:
//! for `-H`, `DOCKER_HOST` and the `default` context from the global flags and the
//! environment (`--tls`, `--tlsverify`, `--tlscacert`, `--tlscert`, `--tlskey`,
//! `DOCKER_TLS`, `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH`); for a stored context from
//! its TLS material and its `SkipTLSVerify`, the flags then playing no part.

use std::path::{Path, PathBuf};

use crate::backend::docker::TlsSettings;

/// The files the docker CLI looks for in `DOCKER_CERT_PATH` and a context's TLS dir.
pub const CA_FILE: &str = "ca.pem";
pub const CERT_FILE: &str = "cert.pem";
pub const KEY_FILE: &str = "key.pem";

/// The global TLS flags as given (None: not on the command line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsFlags {
    pub tls: Option<bool>,
    pub tlsverify: Option<bool>,
    pub cacert: Option<PathBuf>,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
}

impl TlsFlags {
    /// The flags again, as a child berth's command line takes them.
    pub fn args(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(b) = self.tls {
            out.push(format!("--tls={b}"));
        }
        if let Some(b) = self.tlsverify {
            out.push(format!("--tlsverify={b}"));
        }
        for (flag, path) in [
            ("--tlscacert", &self.cacert),
            ("--tlscert", &self.cert),
            ("--tlskey", &self.key),
        ] {
            if let Some(p) = path {
                out.push(flag.to_string());
                out.push(p.display().to_string());
            }
        }
        out
    }
}

/// The environment's part.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsEnv {
    /// `DOCKER_TLS` is set (to anything non-empty).
    pub tls: bool,
    /// `DOCKER_TLS_VERIFY` is set (to anything non-empty, "0" included, as the docker
    /// CLI reads it).
    pub verify: bool,
    /// `DOCKER_CERT_PATH`, else the docker config directory.
    pub cert_path: PathBuf,
}

impl TlsEnv {
    /// From this process's environment; `config_dir` is `$DOCKER_CONFIG` or `~/.docker`.
    pub fn from_env(config_dir: &Path) -> TlsEnv {
        let set = |n: &str| std::env::var_os(n).is_some_and(|v| !v.is_empty());
        TlsEnv {
            tls: set("DOCKER_TLS"),
            verify: set("DOCKER_TLS_VERIFY"),
            cert_path: std::env::var_os("DOCKER_CERT_PATH")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .unwrap_or_else(|| config_dir.to_path_buf()),
        }
    }
}

/// The TLS the flags and environment ask for (None: plain TCP). `exists` says whether
/// a default file is there: a default client certificate or key that is absent is
/// left out, a named one never is, and the CA is always wanted when verifying.
pub fn from_flags(
    flags: &TlsFlags,
    env: &TlsEnv,
    exists: impl Fn(&Path) -> bool,
) -> Option<TlsSettings> {
    let verify = flags.tlsverify.unwrap_or(env.verify);
    // Giving --tlsverify at all turns TLS on, even as --tlsverify=false.
    let tls = flags.tlsverify.is_some() || verify || flags.tls.unwrap_or(env.tls);
    if !tls {
        return None;
    }
    let dir = &env.cert_path;
    let default_if_there = |given: &Option<PathBuf>, name: &str| match given {
        Some(p) => Some(p.clone()),
        None => Some(dir.join(name)).filter(|p| exists(p)),
    };
    Some(TlsSettings {
        verify,
        // Not verifying, the docker CLI reads no CA at all.
        ca: verify.then(|| flags.cacert.clone().unwrap_or_else(|| dir.join(CA_FILE))),
        cert: default_if_there(&flags.cert, CERT_FILE),
        key: default_if_there(&flags.key, KEY_FILE),
    })
}

/// The TLS of a stored context whose material is in `dir` (its `docker` endpoint's):
/// TLS when there is material or verification is skipped, the client certificate
/// only when both halves are there, the system's roots when there is no CA.
pub fn from_context(dir: &Path, skip_tls_verify: bool) -> Option<TlsSettings> {
    let file = |name: &str| Some(dir.join(name)).filter(|p| p.is_file());
    let (ca, cert, key) = (file(CA_FILE), file(CERT_FILE), file(KEY_FILE));
    if ca.is_none() && cert.is_none() && key.is_none() && !skip_tls_verify {
        return None;
    }
    let pair = cert.is_some() && key.is_some();
    Some(TlsSettings {
        verify: !skip_tls_verify,
        ca,
        cert: cert.filter(|_| pair),
        key: key.filter(|_| pair),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_given_again_to_a_child_berth() {
        assert!(TlsFlags::default().args().is_empty());
        let f = TlsFlags {
            tls: None,
            tlsverify: Some(true),
            cacert: Some("/c/ca.pem".into()),
            cert: None,
            key: Some("/c/key.pem".into()),
        };
        assert_eq!(
            f.args(),
            [
                "--tlsverify=true",
                "--tlscacert",
                "/c/ca.pem",
                "--tlskey",
                "/c/key.pem"
            ]
        );
    }

    fn env(tls: bool, verify: bool) -> TlsEnv {
        TlsEnv {
            tls,
            verify,
            cert_path: "/certs".into(),
        }
    }

    fn settings(
        verify: bool,
        ca: Option<&str>,
        cert: Option<&str>,
        key: Option<&str>,
    ) -> TlsSettings {
        TlsSettings {
            verify,
            ca: ca.map(PathBuf::from),
            cert: cert.map(PathBuf::from),
            key: key.map(PathBuf::from),
        }
    }

    #[test]
    fn nothing_asked_is_plain_tcp() {
        assert_eq!(
            from_flags(&TlsFlags::default(), &env(false, false), |_| true),
            None
        );
        let off = TlsFlags {
            tls: Some(false),
            ..Default::default()
        };
        assert_eq!(from_flags(&off, &env(true, false), |_| true), None);
        // Files alone ask for nothing.
        let files = TlsFlags {
            cacert: Some("/x/ca.pem".into()),
            ..Default::default()
        };
        assert_eq!(from_flags(&files, &env(false, false), |_| true), None);
    }

    #[test]
    fn verifying_uses_the_cert_path_defaults() {
        let all = from_flags(&TlsFlags::default(), &env(false, true), |_| true);
        assert_eq!(
            all,
            Some(settings(
                true,
                Some("/certs/ca.pem"),
                Some("/certs/cert.pem"),
                Some("/certs/key.pem")
            ))
        );
        // An absent default client pair is left out; the CA is still wanted.
        let none = from_flags(&TlsFlags::default(), &env(false, true), |_| false);
        assert_eq!(
            none,
            Some(settings(true, Some("/certs/ca.pem"), None, None))
        );
    }

    #[test]
    fn the_flags_win_over_the_environment() {
        let flags = TlsFlags {
            tlsverify: Some(true),
            cacert: Some("/a/ca".into()),
            cert: Some("/a/cert".into()),
            key: Some("/a/key".into()),
            ..Default::default()
        };
        // Named files are kept even when absent: reading them says what is missing.
        assert_eq!(
            from_flags(&flags, &env(false, false), |_| false),
            Some(settings(
                true,
                Some("/a/ca"),
                Some("/a/cert"),
                Some("/a/key")
            ))
        );
        // --tlsverify=false still means TLS, unverified, as with the docker CLI.
        let unverified = TlsFlags {
            tlsverify: Some(false),
            ..Default::default()
        };
        assert_eq!(
            from_flags(&unverified, &env(false, true), |_| false),
            Some(settings(false, None, None, None))
        );
    }

    #[test]
    fn tls_without_verify() {
        let flags = TlsFlags {
            tls: Some(true),
            ..Default::default()
        };
        assert_eq!(
            from_flags(&flags, &env(false, false), |_| true),
            Some(settings(
                false,
                None,
                Some("/certs/cert.pem"),
                Some("/certs/key.pem")
            ))
        );
        assert_eq!(
            from_flags(&TlsFlags::default(), &env(true, false), |_| false),
            Some(settings(false, None, None, None))
        );
    }

    #[test]
    fn a_contexts_material() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(from_context(d.path(), false), None);
        assert_eq!(
            from_context(d.path(), true),
            Some(settings(false, None, None, None))
        );
        std::fs::write(d.path().join(CA_FILE), "x").unwrap();
        std::fs::write(d.path().join(CERT_FILE), "x").unwrap();
        let ca = d.path().join(CA_FILE);
        let got = from_context(d.path(), false);
        // Half a client pair is no client certificate.
        assert_eq!(
            got,
            Some(TlsSettings {
                verify: true,
                ca: Some(ca.clone()),
                cert: None,
                key: None
            })
        );
        std::fs::write(d.path().join(KEY_FILE), "x").unwrap();
        let got = from_context(d.path(), false).unwrap();
        assert_eq!(got.cert, Some(d.path().join(CERT_FILE)));
        assert_eq!(got.key, Some(d.path().join(KEY_FILE)));
    }
}
