//! Unit tests of what needs no registry: where references point, which registries get
//! plain HTTP, and the auth file (with a fake credential helper).

use std::fs;
use std::os::unix::fs::PermissionsExt;

use super::auth_file::auth_key;
use super::target::is_insecure;
use super::{AuthFile, Credentials, Target, HUB_AUTH_KEY};
use crate::config::Config;

fn config(insecure: &[&str]) -> Config {
    Config {
        insecure_registries: insecure.iter().map(|s| s.to_string()).collect(),
        ..Config::default()
    }
}

#[test]
fn targets_of_references() {
    let c = config(&[]);
    let t = Target::parse("busybox", &c).unwrap();
    assert_eq!(
        (t.domain.as_str(), t.repository.as_str(), t.api_host()),
        ("docker.io", "library/busybox", "registry-1.docker.io")
    );
    assert!(!t.insecure);
    assert_eq!(t.familiar_string(), "busybox:latest");
    assert_eq!(t.oci().resolve_registry(), "registry-1.docker.io");
    let t = Target::parse("127.0.0.1:5000/team/app:1", &c).unwrap();
    assert_eq!(
        (t.domain.as_str(), t.repository.as_str(), t.insecure),
        ("127.0.0.1:5000", "team/app", true)
    );
    assert_eq!(t.v2_url(), "http://127.0.0.1:5000/v2/");
    assert_eq!(t.oci().whole(), "127.0.0.1:5000/team/app:1");
    let t = Target::parse("host.example/a/b:tag", &c).unwrap();
    assert_eq!(t.v2_url(), "https://host.example/v2/");
    let t = Target::registry("https://index.docker.io/v1/", &c).unwrap();
    assert!(t.is_docker_hub());
    let t = Target::registry("localhost:5000", &c).unwrap();
    assert_eq!(t.v2_url(), "http://localhost:5000/v2/");
}

#[test]
fn plain_http_only_for_loopback_and_listed_registries() {
    let listed = vec!["reg.lan:5000".to_string(), "other.lan".to_string()];
    for yes in [
        "localhost",
        "localhost:5000",
        "127.0.0.1:5000",
        "127.1.2.3",
        "[::1]:5000",
        "reg.lan:5000",
        "other.lan:443",
    ] {
        assert!(is_insecure(yes, &listed), "{yes}");
    }
    for no in [
        "reg.lan:5001",
        "docker.io",
        "10.0.0.1:5000",
        "localhost.example",
    ] {
        assert!(!is_insecure(no, &listed), "{no}");
    }
    let t = Target::parse("reg.lan:5000/x", &config(&["reg.lan:5000"])).unwrap();
    assert_eq!(t.v2_url(), "http://reg.lan:5000/v2/");
}

#[test]
fn auth_file_round_trip_keeps_other_keys_and_is_private() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("docker/config.json");
    let f = AuthFile::new(&path);
    assert_eq!(f.get("127.0.0.1:5000").unwrap(), None);
    let creds = Credentials {
        username: "u".into(),
        password: "p:w".into(),
    };
    f.store("127.0.0.1:5000", &creds).unwrap();
    f.store("docker.io", &creds).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    assert_eq!(v["auths"]["127.0.0.1:5000"]["auth"], "dTpwOnc=");
    assert!(v["auths"][HUB_AUTH_KEY].is_object());
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        f.get("http://127.0.0.1:5000/v2/").unwrap(),
        Some(creds.clone())
    );
    assert_eq!(f.get("").unwrap(), Some(creds.clone()));

    // Other settings survive a login and a logout.
    let mut v = v;
    v["psFormat"] = "table {{.ID}}".into();
    fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
    assert!(f.erase("127.0.0.1:5000").unwrap());
    assert!(!f.erase("127.0.0.1:5000").unwrap());
    let v: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    assert_eq!(v["psFormat"], "table {{.ID}}");
    assert!(v["auths"].get("127.0.0.1:5000").is_none());
    // Nothing else is left in the directory.
    assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
    assert_eq!(auth_key("registry-1.docker.io"), HUB_AUTH_KEY);
}

#[test]
fn credential_helpers_are_asked_as_the_docker_cli_asks() {
    let d = tempfile::tempdir().unwrap();
    let bin = d.path().join("bin");
    fs::create_dir(&bin).unwrap();
    let store = d.path().join("secret");
    // A helper that keeps one secret in a file.
    let script = format!(
        "#!/bin/sh\ncase $1 in\n get) read s; if [ -f {0} ]; then cat {0}; else echo 'credentials not found in native keychain'; exit 1; fi;;\n store) cat > {0};;\n erase) rm {0};;\nesac\n",
        store.display()
    );
    let helper = bin.join("docker-credential-fake");
    fs::write(&helper, script).unwrap();
    fs::set_permissions(&helper, fs::Permissions::from_mode(0o755)).unwrap();
    let path = d.path().join("config.json");
    fs::write(&path, r#"{"credHelpers": {"127.0.0.1:5000": "fake"}}"#).unwrap();
    let mut f = AuthFile::new(&path);
    f.helper_dir = Some(bin.clone());
    assert_eq!(f.get("127.0.0.1:5000").unwrap(), None);
    let creds = Credentials {
        username: "u".into(),
        password: "s3cret".into(),
    };
    f.store("127.0.0.1:5000", &creds).unwrap();
    let kept: serde_json::Value = serde_json::from_slice(&fs::read(&store).unwrap()).unwrap();
    assert_eq!(kept["ServerURL"], "127.0.0.1:5000");
    assert_eq!(kept["Secret"], "s3cret");
    // The file names the registry but holds no secret.
    let text = fs::read_to_string(&path).unwrap();
    assert!(!text.contains("s3cret"), "{text}");
    assert_eq!(f.get("127.0.0.1:5000").unwrap(), Some(creds));
    assert!(f.erase("127.0.0.1:5000").unwrap());
    assert!(!store.exists());
}

#[test]
fn all_credentials_gathers_auths_helpers_and_the_store_list() {
    let d = tempfile::tempdir().unwrap();
    let bin = d.path().join("bin");
    fs::create_dir(&bin).unwrap();
    // A store that lists one registry and answers for every one it is asked about.
    let script = "#!/bin/sh\ncase $1 in\n list) echo '{\"https://stored.example:5000/v1/\": \"s\"}';;\n get) read s; echo \"{\\\"Username\\\": \\\"u-$s\\\", \\\"Secret\\\": \\\"p\\\"}\";;\nesac\n";
    let helper = bin.join("docker-credential-fake");
    fs::write(&helper, script).unwrap();
    fs::set_permissions(&helper, fs::Permissions::from_mode(0o755)).unwrap();
    let path = d.path().join("config.json");
    fs::write(
        &path,
        r#"{"auths": {"127.0.0.1:5000": {"auth": "YTpi"}, "https://index.docker.io/v1/": {}},
            "credHelpers": {"helped.example": "fake"}, "credsStore": "fake"}"#,
    )
    .unwrap();
    let mut f = AuthFile::new(&path);
    f.helper_dir = Some(bin);
    let all: Vec<(String, String)> = f
        .all()
        .unwrap()
        .into_iter()
        .map(|(k, c)| (k, c.username))
        .collect();
    // With a credsStore every registry is the store's; each key is asked for once.
    assert_eq!(
        all,
        [
            ("127.0.0.1:5000".to_string(), "u-127.0.0.1:5000".to_string()),
            ("helped.example".into(), "u-helped.example".into()),
            (HUB_AUTH_KEY.into(), format!("u-{HUB_AUTH_KEY}")),
            ("stored.example:5000".into(), "u-stored.example:5000".into()),
        ]
    );
    // Without helpers, only `auths` entries that hold credentials.
    fs::write(
        &path,
        r#"{"auths": {"127.0.0.1:5000": {"auth": "YTpi"}, "x.example": {}}}"#,
    )
    .unwrap();
    let all = f.all().unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].0, "127.0.0.1:5000");
    assert_eq!(all[0].1.password, "b");
}

/// The backend awaits these from spawned tasks: their futures must be `Send`.
#[allow(dead_code)]
fn futures_are_send(e: &crate::Engine, c: &Credentials) {
    fn send<T: Send>(_: T) {}
    let mut pulled = |_: super::PullEvent| {};
    send(e.pull("x", None, None, &mut pulled));
    let mut pushed = |_: super::PushEvent| {};
    send(e.push("x", None, &mut pushed));
    send(e.registry_login("x", c));
}
