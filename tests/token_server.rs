//! A token server for a registry behind token auth, as Docker's token spec has it
//! (distribution's `auth: token`): `GET /token?service=..&scope=..&account=..`, with the
//! user's basic credentials or none, answers a JWT signed ES256 by a key whose
//! self-signed certificate the registry trusts (`x5c` in the JWT header).
//!
//! Known users get the actions they ask for that they are allowed, anonymous callers a
//! token that grants nothing (as Docker Hub, Harbor and GitLab answer for a private
//! repository), a wrong password a 401. Every request is recorded, so a test can tell which scopes a client
//! asked for. Served from a thread on a free loopback port; stopped when dropped.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use serde_json::json;

/// The registry's name for itself: the `service` of its challenge, the tokens' `aud`.
pub const SERVICE: &str = "berth-test-registry";
/// Who signs the tokens: their `iss`, which the registry checks.
pub const ISSUER: &str = "berth-test-issuer";
/// How long a token lasts, in seconds.
const EXPIRES_IN: u64 = 300;

/// One request for a token, as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    /// The basic-auth user, none for an anonymous request.
    pub user: Option<String>,
    /// The `account` parameter, if sent.
    pub account: Option<String>,
    /// The `service` parameter, if sent.
    pub service: Option<String>,
    /// Every `scope` parameter, as sent (`repository:team/app:pull,push`).
    pub scopes: Vec<String>,
    /// What the token granted, in the same form.
    pub granted: Vec<String>,
    /// The HTTP status answered.
    pub status: u16,
}

/// What the serving thread shares: the signing key and certificate, the users, the log.
struct Issuer {
    key: EcdsaKeyPair,
    cert_der: Vec<u8>,
    /// Name, password, and the actions the user may have on any repository.
    users: Vec<(String, String, Vec<String>)>,
    log: Mutex<Vec<TokenRequest>>,
    serial: AtomicU64,
}

pub struct TokenServer {
    pub port: u16,
    dir: tempfile::TempDir,
    issuer: Arc<Issuer>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TokenServer {
    /// Serve tokens to `users`: name, password, and the actions (`pull`, `push`) each may
    /// have on any repository.
    pub fn start(users: &[(&str, &str, &[&str])]) -> TokenServer {
        let dir = tempfile::Builder::new()
            .prefix("berth-token-")
            .tempdir()
            .expect("temp dir");
        let key_pair =
            rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("P-256 key");
        let cert = rcgen::CertificateParams::new(vec!["berth-test-token".to_string()])
            .expect("certificate params")
            .self_signed(&key_pair)
            .expect("self-signed certificate");
        std::fs::write(dir.path().join("root.pem"), cert.pem()).expect("write root.pem");
        let key = EcdsaKeyPair::from_pkcs8(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            &key_pair.serialize_der(),
            &SystemRandom::new(),
        )
        .expect("load the signing key");
        let issuer = Arc::new(Issuer {
            key,
            cert_der: cert.der().to_vec(),
            users: users
                .iter()
                .map(|(u, p, actions)| {
                    let actions = actions.iter().map(|a| a.to_string()).collect();
                    (u.to_string(), p.to_string(), actions)
                })
                .collect(),
            log: Mutex::new(Vec::new()),
            serial: AtomicU64::new(0),
        });
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the token server");
        let port = listener.local_addr().expect("local address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::spawn({
            let (issuer, stop) = (issuer.clone(), stop.clone());
            move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    if let Ok(conn) = conn {
                        let issuer = issuer.clone();
                        std::thread::spawn(move || serve(&issuer, conn));
                    }
                }
            }
        });
        TokenServer {
            port,
            dir,
            issuer,
            stop,
            thread: Some(thread),
        }
    }

    /// The realm a registry sends clients to: `http://127.0.0.1:PORT/token`.
    pub fn realm(&self) -> String {
        format!("http://127.0.0.1:{}/token", self.port)
    }

    /// The PEM file of the signing certificate, the registry's `rootcertbundle`.
    pub fn root_cert_bundle(&self) -> PathBuf {
        self.dir.path().join("root.pem")
    }

    /// The requests served so far, oldest first, and forget them.
    pub fn take_requests(&self) -> Vec<TokenRequest> {
        std::mem::take(&mut *self.issuer.log.lock().unwrap())
    }
}

impl Drop for TokenServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Answer one connection's request, then close it.
fn serve(issuer: &Issuer, conn: TcpStream) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(mut out) = conn.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(conn);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut authorization = None;
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line.trim_end().is_empty() => break,
            Ok(_) => {
                if let Some((name, value)) = line.split_once(':') {
                    if name.trim().eq_ignore_ascii_case("authorization") {
                        authorization = Some(value.trim().to_string());
                    }
                }
            }
        }
    }
    let (status, body) = respond(issuer, &request_line, authorization.as_deref());
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        _ => "Not Found",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    if status == 401 {
        head.push_str("WWW-Authenticate: Basic realm=\"berth-test-token\"\r\n");
    }
    head.push_str("\r\n");
    let _ = out.write_all(head.as_bytes());
    let _ = out.write_all(body.as_bytes());
}

/// The status and JSON body for `GET /token?...`.
fn respond(issuer: &Issuer, request_line: &str, authorization: Option<&str>) -> (u16, String) {
    let mut parts = request_line.split_whitespace();
    let (Some("GET"), Some(target)) = (parts.next(), parts.next()) else {
        return (400, errors("UNSUPPORTED", "only GET is served"));
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != "/token" {
        return (404, errors("NOT_FOUND", "no such endpoint"));
    }
    let params: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    let param = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let mut req = TokenRequest {
        user: None,
        account: param("account"),
        service: param("service"),
        scopes: params
            .iter()
            .filter(|(n, _)| n == "scope")
            .map(|(_, v)| v.clone())
            .collect(),
        granted: Vec::new(),
        status: 200,
    };
    let creds = authorization.and_then(basic_credentials);
    req.user = creds.as_ref().map(|(u, _)| u.clone());
    let allowed = creds.as_ref().map(|(u, p)| {
        issuer
            .users
            .iter()
            .find(|(ku, kp, _)| ku == u && kp == p)
            .map(|(_, _, actions)| actions.as_slice())
    });
    let answer = if let Some(None) = allowed {
        req.status = 401;
        (401, errors("UNAUTHORIZED", "authentication required"))
    } else {
        // Anonymous callers are told who they are (nobody) and granted nothing.
        let allowed = allowed.flatten().unwrap_or_default();
        let access: Vec<Access> = req
            .scopes
            .iter()
            .filter_map(|s| Access::grant(s, allowed))
            .collect();
        req.granted = access.iter().map(Access::scope).collect();
        let access: Vec<serde_json::Value> = access.iter().map(Access::claim).collect();
        let token = issuer.token(req.user.as_deref().unwrap_or(""), &access);
        (
            200,
            json!({"token": token, "access_token": token, "expires_in": EXPIRES_IN}).to_string(),
        )
    };
    issuer.log.lock().unwrap().push(req);
    answer
}

/// One resource's granted actions, as a token's `access` claim lists them.
struct Access {
    kind: String,
    name: String,
    actions: Vec<String>,
}

impl Access {
    /// What of `scope` (`repository:team/app:pull,push`) the `allowed` actions grant;
    /// none when nothing is.
    fn grant(scope: &str, allowed: &[String]) -> Option<Access> {
        let (kind, rest) = scope.split_once(':')?;
        let (name, actions) = rest.rsplit_once(':')?;
        let actions: Vec<String> = actions
            .split(',')
            .filter(|a| allowed.iter().any(|ok| ok == a))
            .map(str::to_string)
            .collect();
        (!actions.is_empty()).then(|| Access {
            kind: kind.to_string(),
            name: name.to_string(),
            actions,
        })
    }

    fn scope(&self) -> String {
        format!("{}:{}:{}", self.kind, self.name, self.actions.join(","))
    }

    fn claim(&self) -> serde_json::Value {
        json!({"type": self.kind, "name": self.name, "actions": self.actions})
    }
}

/// `Basic dXNlcjpwYXNz` -> (user, pass).
fn basic_credentials(header: &str) -> Option<(String, String)> {
    let (scheme, encoded) = header.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (u, p) = decoded.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

/// A distribution-style error body.
fn errors(code: &str, message: &str) -> String {
    json!({"errors": [{"code": code, "message": message}]}).to_string()
}

impl Issuer {
    /// A JWT for `subject` granting `access`, signed ES256 (raw r||s), its certificate in
    /// `x5c` for the registry to check against its root bundle.
    fn token(&self, subject: &str, access: &[serde_json::Value]) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock after 1970")
            .as_secs();
        let header =
            json!({"typ": "JWT", "alg": "ES256", "x5c": [STANDARD.encode(&self.cert_der)]});
        let claims = json!({
            "iss": ISSUER,
            "sub": subject,
            "aud": SERVICE,
            "exp": now + EXPIRES_IN,
            "nbf": now,
            "iat": now,
            "jti": format!("{now}-{}", self.serial.fetch_add(1, Ordering::SeqCst)),
            "access": access,
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let sig = self
            .key
            .sign(&SystemRandom::new(), signing_input.as_bytes())
            .expect("ES256 signature");
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()))
    }
}
