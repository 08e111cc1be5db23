//! The configuration hash compose writes in a container's `com.docker.compose.config-hash`
//! label: `up` recreates a container when its service's hash has changed, and keeps it
//! otherwise.
//!
//! As compose v2's `ServiceHash`, it is the SHA-256 of the service's JSON with what
//! does not concern one container left out: `build` (the image is what counts),
//! `pull_policy`, `scale` and `deploy.replicas` (how many containers), and, as compose
//! does from 2.29.3 and 2.30.2, `depends_on` and `profiles`. So scaling a service or
//! adding a dependency keeps its containers, and any other change recreates them.
//!
//! The JSON is the model's own serialization: fields in a fixed order, maps sorted, so
//! the hash is the same from run to run. It is Berth's, not compose's digit for digit
//! (compose hashes compose-go's Go structs). One difference by design: a `deploy`
//! section left empty once `replicas` is out counts as no `deploy` at all, so writing
//! `deploy: {replicas: 3}` on a service is scaling it, not changing it.

use sha2::{Digest, Sha256};

use super::model::{Deploy, Service};

/// The lowercase hex SHA-256 of the service's configuration, scale and dependencies
/// left out.
pub fn service_hash(s: &Service) -> String {
    let mut s = s.clone();
    s.build = None;
    s.pull_policy = None;
    s.scale = None;
    if let Some(d) = s.deploy.as_mut() {
        d.replicas = None;
    }
    if s.deploy.as_ref() == Some(&Deploy::default()) {
        s.deploy = None;
    }
    s.depends_on.clear();
    s.profiles.clear();
    // Only a command the loader would have refused (unbalanced quotes) fails to
    // serialize; its debug text is as stable.
    let bytes = serde_json::to_vec(&s).unwrap_or_else(|_| format!("{s:?}").into_bytes());
    hex(&Sha256::digest(&bytes))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::model::{Dependency, Port};
    use serde_json::json;

    fn web() -> Service {
        let s = serde_json::from_value(json!({
            "image": "nginx:1.27",
            "environment": {"MODE": "prod", "HOME": null},
            "ports": [{"target": 80, "published": "8080", "protocol": "tcp", "mode": "ingress"}],
            "labels": {"tier": "front"},
            "depends_on": {"db": {"condition": "service_healthy", "required": true}},
            "deploy": {"replicas": 2, "resources": {"limits": {"memory": "256m"}}},
        }));
        match s {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn same_service_same_hash_as_hex_sha256() {
        let h = service_hash(&web());
        assert_eq!(h, service_hash(&web()));
        assert_eq!(h.len(), 64);
        assert!(h
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        // The hash of the empty service's JSON is known text: `{}` minus nothing.
        assert_eq!(
            service_hash(&Service::default()),
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
    }

    #[test]
    fn any_other_change_changes_it() {
        let base = service_hash(&web());
        let mut s = web();
        s.image = Some("nginx:1.28".into());
        assert_ne!(service_hash(&s), base);
        let mut s = web();
        s.environment.insert("MODE".into(), Some("dev".into()));
        assert_ne!(service_hash(&s), base);
        let mut s = web();
        s.environment.insert("HOME".into(), Some(String::new()));
        assert_ne!(service_hash(&s), base);
        let mut s = web();
        s.ports[0].published = Some("8081".into());
        assert_ne!(service_hash(&s), base);
        let mut s = web();
        s.ports.push(Port {
            target: Some(443),
            ..Port::default()
        });
        assert_ne!(service_hash(&s), base);
        let mut s = web();
        s.labels.insert("tier".into(), "back".into());
        assert_ne!(service_hash(&s), base);
        let mut s = web();
        if let Some(d) = s.deploy.as_mut() {
            d.resources.limits = None;
        }
        assert_ne!(service_hash(&s), base);
    }

    #[test]
    fn scale_dependencies_build_and_profiles_do_not() {
        let base = service_hash(&web());
        let mut s = web();
        s.scale = Some(5);
        if let Some(d) = s.deploy.as_mut() {
            d.replicas = Some(7);
        }
        assert_eq!(service_hash(&s), base);
        let mut s = web();
        s.depends_on.insert("cache".into(), Dependency::default());
        assert_eq!(service_hash(&s), base);
        s.depends_on.clear();
        assert_eq!(service_hash(&s), base);
        let mut s = web();
        s.profiles = vec!["debug".into()];
        s.pull_policy = Some("always".into());
        s.build = serde_json::from_value(json!({"context": "."})).ok();
        assert!(s.build.is_some());
        assert_eq!(service_hash(&s), base);
        // deploy holding only replicas is as good as no deploy.
        let mut a = web();
        a.deploy = None;
        let mut b = a.clone();
        b.deploy = Some(Deploy {
            replicas: Some(3),
            ..Deploy::default()
        });
        assert_eq!(service_hash(&a), service_hash(&b));
        // The caller's service is left as it was.
        let s = web();
        let _ = service_hash(&s);
        assert_eq!(s.deploy.and_then(|d| d.replicas), Some(2));
    }
}
