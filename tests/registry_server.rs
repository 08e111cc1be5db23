//! Debian's `docker-registry` for a test: serving on a free loopback port with its own
//! config and storage in a temp dir, optionally behind htpasswd basic auth or token auth
//! (a [`TokenServer`]'s); killed when dropped, even when the test fails.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::token_server::{TokenServer, ISSUER, SERVICE};
use crate::{eventually, free_port, require_tool};

/// Who the registry lets in.
enum Auth<'a> {
    Anyone,
    /// htpasswd basic auth for one user (name, password).
    Basic(&'a str, &'a str),
    /// Bearer tokens from this server.
    Token(&'a TokenServer),
}

pub struct RegistryServer {
    child: Child,
    pub dir: tempfile::TempDir,
    pub port: u16,
}

impl RegistryServer {
    /// With `user`, the registry wants that user's password (htpasswd basic auth).
    pub fn start(user: Option<(&str, &str)>) -> RegistryServer {
        match user {
            Some((u, p)) => Self::serve(Auth::Basic(u, p)),
            None => Self::serve(Auth::Anyone),
        }
    }

    /// A registry that wants a bearer token from `tokens` for every request.
    pub fn with_token_auth(tokens: &TokenServer) -> RegistryServer {
        Self::serve(Auth::Token(tokens))
    }

    fn serve(auth: Auth) -> RegistryServer {
        require_tool("docker-registry", "docker-registry");
        let dir = tempfile::Builder::new()
            .prefix("berth-registry-")
            .tempdir()
            .expect("temp dir");
        let port = free_port();
        let storage = dir.path().join("storage");
        let mut yaml = format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n  secret: berth-test\n",
            storage.display()
        );
        match auth {
            Auth::Anyone => {}
            Auth::Basic(u, p) => yaml.push_str(&htpasswd_auth(dir.path(), u, p)),
            Auth::Token(t) => yaml.push_str(&format!(
                "auth:\n  token:\n    realm: {}\n    service: {SERVICE}\n    issuer: {ISSUER}\n    rootcertbundle: {}\n",
                t.realm(),
                t.root_cert_bundle().display()
            )),
        }
        let config = dir.path().join("config.yml");
        std::fs::write(&config, yaml).expect("write registry config");
        let log = std::fs::File::create(dir.path().join("registry.log")).expect("log file");
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .spawn()
            .expect("start docker-registry");
        let r = RegistryServer { child, dir, port };
        assert!(
            eventually(20, || TcpStream::connect(("127.0.0.1", port)).is_ok()),
            "docker-registry did not listen: {}",
            r.log()
        );
        r
    }

    /// `127.0.0.1:PORT`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    /// The registry's storage directory.
    pub fn storage(&self) -> PathBuf {
        self.dir.path().join("storage")
    }

    /// A blob's data file in the registry's storage.
    pub fn blob_file(&self, d: &berth_engine::store::Digest) -> PathBuf {
        self.storage()
            .join("docker/registry/v2/blobs/sha256")
            .join(&d.hex()[..2])
            .join(d.hex())
            .join("data")
    }
}

/// The `auth:` section for htpasswd basic auth of one user, its file written in `dir`.
fn htpasswd_auth(dir: &Path, user: &str, password: &str) -> String {
    require_tool("htpasswd", "apache2-utils");
    let out = Command::new("htpasswd")
        .args(["-Bbn", user, password])
        .output()
        .expect("run htpasswd");
    assert!(out.status.success(), "htpasswd failed");
    let file = dir.join("htpasswd");
    std::fs::write(&file, out.stdout).expect("write htpasswd");
    format!(
        "auth:\n  htpasswd:\n    realm: berth-test\n    path: {}\n",
        file.display()
    )
}

impl Drop for RegistryServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
