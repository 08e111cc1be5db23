//! A registry behind token auth, as Docker Hub, Harbor and GitLab serve it: Debian's
//! docker-registry with `auth: token`, trusting a test token server on loopback that signs
//! ES256 JWTs. Login, push, pull and run from the command line, the scopes the client
//! asked the token server for, and Docker's words when a token does not grant enough.
//! Each client has its own Docker auth file (`DOCKER_CONFIG`).

use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;

use berth_tests::registry_server::RegistryServer;
use berth_tests::token_server::{TokenRequest, TokenServer, SERVICE};
use berth_tests::{Berth, Out};

/// One user's berth: a state root and a Docker auth file.
struct Client {
    b: Berth,
    docker_config: PathBuf,
}

impl Client {
    fn new() -> Client {
        let b = Berth::new();
        let docker_config = b.dir.path().join("docker-config");
        Client { b, docker_config }
    }

    /// Another state root logged in as this one is (the same auth file).
    fn sharing_logins(&self) -> Client {
        Client {
            b: Berth::new(),
            docker_config: self.docker_config.clone(),
        }
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Out {
        let mut c = self.b.cmd();
        c.env("DOCKER_CONFIG", &self.docker_config)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if stdin.is_some() {
            c.stdin(Stdio::piped());
        }
        let mut child = c.spawn().expect("spawn berth");
        if let Some(text) = stdin {
            let mut i = child.stdin.take().expect("stdin");
            i.write_all(text.as_bytes()).expect("write stdin");
        }
        Out::from(child.wait_with_output().expect("berth output"))
    }

    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args, None);
        assert_eq!(o.code, 0, "berth {args:?}: {}{}", o.stdout, o.stderr);
        o.stdout
    }

    fn fails(&self, args: &[&str]) -> String {
        let o = self.run(args, None);
        assert_eq!(o.code, 1, "berth {args:?}: {}{}", o.stdout, o.stderr);
        o.stderr
    }

    fn login(&self, reg: &RegistryServer, user: &str, password: &str) -> Out {
        self.run(
            &["login", "-u", user, "--password-stdin", &reg.addr()],
            Some(&format!("{password}\n")),
        )
    }

    /// An image tagged `tag` whose command prints `greeting`.
    fn greeting_image(&self, tag: &str, greeting: &str) {
        self.b.busybox_image("busybox:latest");
        let ctx = self.b.dir.path().join("ctx");
        std::fs::create_dir_all(&ctx).expect("context dir");
        std::fs::write(
            ctx.join("Dockerfile"),
            "FROM busybox\nCOPY greeting /greeting\nCMD [\"cat\", \"/greeting\"]\n",
        )
        .expect("write Dockerfile");
        std::fs::write(ctx.join("greeting"), greeting).expect("write greeting");
        self.ok(&["build", "-q", "-t", tag, ctx.to_str().expect("utf-8 path")]);
    }

    fn auth_file(&self) -> String {
        std::fs::read_to_string(self.docker_config.join("config.json")).unwrap_or_default()
    }
}

/// Every scope asked for in `reqs`.
fn scopes(reqs: &[TokenRequest]) -> Vec<&str> {
    reqs.iter()
        .flat_map(|r| r.scopes.iter().map(String::as_str))
        .collect()
}

/// Docker's refusal of a push the token does not allow (the registry's challenge says
/// `insufficient_scope`).
const DENIED: &str = "denied: requested access to the resource is denied";

fn pull_denied(repo: &str) -> String {
    format!(
        "pull access denied for {repo}, repository does not exist or may require 'docker login': {DENIED}"
    )
}

#[test]
fn login_push_pull_and_run_with_bearer_tokens() {
    let tokens = TokenServer::start(&[("alice", "s3cret", &["pull", "push"])]);
    let reg = RegistryServer::with_token_auth(&tokens);
    let alice = Client::new();
    let repo = format!("{}/team/app", reg.addr());
    let remote = format!("{repo}:1");
    alice.greeting_image(&remote, "behind a token\n");

    // Nobody logged in: the token server hands out a token that grants nothing.
    let refused = alice.fails(&["push", &remote]);
    assert!(refused.contains(DENIED), "{refused}");
    let refused = alice.fails(&["pull", &remote]);
    assert!(refused.contains(&pull_denied(&repo)), "{refused}");
    let reqs = tokens.take_requests();
    assert!(!reqs.is_empty());
    assert!(reqs
        .iter()
        .all(|r| r.user.is_none() && r.granted.is_empty()));
    assert!(
        scopes(&reqs).contains(&"repository:team/app:pull,push"),
        "{reqs:#?}"
    );

    let wrong = alice.login(&reg, "alice", "nope");
    assert_eq!(wrong.code, 1, "{}", wrong.stdout);
    // Docker prints the token server's own reason.
    assert!(
        wrong.stderr.contains(&format!(
            "Get \"http://{}/v2/\": unauthorized: authentication required",
            reg.addr()
        )),
        "{}",
        wrong.stderr
    );
    assert!(!alice.auth_file().contains(&reg.addr()));
    let reqs = tokens.take_requests();
    assert_eq!(reqs.len(), 1, "{reqs:#?}");
    assert_eq!(reqs[0].status, 401);
    assert_eq!(reqs[0].user.as_deref(), Some("alice"));
    assert_eq!(reqs[0].account.as_deref(), Some("alice"));
    assert_eq!(reqs[0].service.as_deref(), Some(SERVICE));

    let right = alice.login(&reg, "alice", "s3cret");
    assert_eq!(right.code, 0, "{}", right.stderr);
    assert_eq!(right.stdout, "Login Succeeded\n");
    assert!(alice.auth_file().contains(&reg.addr()));
    tokens.take_requests();

    let pushed = alice.ok(&["push", &remote]);
    assert!(pushed.contains(": Pushed"), "{pushed}");
    assert!(pushed.contains("1: digest: sha256:"), "{pushed}");
    let reqs = tokens.take_requests();
    assert!(
        reqs.iter()
            .all(|r| r.user.as_deref() == Some("alice") && r.status == 200),
        "{reqs:#?}"
    );
    assert!(
        scopes(&reqs).contains(&"repository:team/app:pull,push"),
        "{reqs:#?}"
    );
    assert!(
        scopes(&reqs)
            .iter()
            .all(|s| s.starts_with("repository:team/app:")),
        "{reqs:#?}"
    );

    // Another root with alice's login pulls every blob with a pull token, and runs it.
    let elsewhere = alice.sharing_logins();
    let pulled = elsewhere.ok(&["pull", &remote]);
    assert!(pulled.contains(": Pull complete"), "{pulled}");
    assert!(
        pulled.contains(&format!("Status: Downloaded newer image for {remote}")),
        "{pulled}"
    );
    let reqs = tokens.take_requests();
    assert!(
        scopes(&reqs).contains(&"repository:team/app:pull"),
        "{reqs:#?}"
    );
    assert!(
        scopes(&reqs).iter().all(|s| !s.contains("push")),
        "{reqs:#?}"
    );
    assert_eq!(elsewhere.ok(&["run", "--rm", &remote]), "behind a token\n");

    assert_eq!(
        alice.ok(&["logout", &reg.addr()]),
        format!("Removing login credentials for {}\n", reg.addr())
    );
    elsewhere.ok(&["rmi", &remote]);
    let after = elsewhere.fails(&["pull", &remote]);
    assert!(after.contains(&pull_denied(&repo)), "{after}");
}

#[test]
fn a_token_grants_only_what_the_user_may_do() {
    let tokens = TokenServer::start(&[
        ("alice", "s3cret", &["pull", "push"]),
        ("bob", "b0b", &["pull"]),
    ]);
    let reg = RegistryServer::with_token_auth(&tokens);
    let alice = Client::new();
    let remote = format!("{}/team/shared:1", reg.addr());
    alice.greeting_image(&remote, "shared\n");
    assert_eq!(alice.login(&reg, "alice", "s3cret").code, 0);
    alice.ok(&["push", "-q", &remote]);
    // A push to another repository of the same registry (a mount, or an upload when
    // the token does not cover the source repository).
    let copy = format!("{}/team/copy:1", reg.addr());
    alice.ok(&["tag", &remote, &copy]);
    alice.ok(&["push", "-q", &copy]);

    let bob = Client::new();
    let login = bob.login(&reg, "bob", "b0b");
    assert_eq!(login.code, 0, "{}", login.stderr);
    tokens.take_requests();
    bob.ok(&["pull", "-q", &remote]);
    assert_eq!(bob.ok(&["run", "--rm", &remote]), "shared\n");
    let refused = bob.fails(&["push", &remote]);
    assert!(refused.contains(DENIED), "{refused}");
    let reqs = tokens.take_requests();
    let push = reqs
        .iter()
        .find(|r| r.scopes == ["repository:team/shared:pull,push"])
        .unwrap_or_else(|| panic!("no push scope asked for: {reqs:#?}"));
    assert_eq!(push.user.as_deref(), Some("bob"));
    assert_eq!(push.granted, ["repository:team/shared:pull"]);
}
