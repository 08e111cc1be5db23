//! The client's side of registry credentials, as Docker's CLI keeps it: the auth file
//! (`~/.docker/config.json` or `$DOCKER_CONFIG`) is read here, by the front end, and
//! what it holds for a reference's registry travels with the pull or push request.

use berth_engine::image::registry::{docker_config_path, AuthFile, HUB_AUTH_KEY};
use berth_engine::image::Reference;
use bollard::models as m;
use std::collections::BTreeMap;

/// The auth file's key for the registry `reference` lives on (Docker Hub's is its
/// historical URL).
pub fn server_of(reference: &str) -> String {
    match Reference::parse(reference) {
        Ok(r) => match r.name.split_once('/') {
            Some((host, _)) if host.contains(['.', ':']) || host == "localhost" => host.to_string(),
            _ => HUB_AUTH_KEY.to_string(),
        },
        Err(_) => HUB_AUTH_KEY.to_string(),
    }
}

/// Everything the auth file holds, by registry, for a build's base-image pulls (Docker's
/// CLI sends the same as `X-Registry-Config`). An unreadable file gives none.
pub fn all_auths() -> BTreeMap<String, m::AuthConfig> {
    let all = AuthFile::new(docker_config_path())
        .all()
        .unwrap_or_default();
    all.into_iter()
        .map(|(server, c)| {
            let auth = m::AuthConfig {
                username: Some(c.username),
                password: Some(c.password),
                serveraddress: Some(server.clone()),
            };
            (server, auth)
        })
        .collect()
}

/// What the auth file holds for `reference`'s registry, as the API's auth config.
pub fn auth_for(reference: &str) -> Option<m::AuthConfig> {
    let server = server_of(reference);
    let creds = AuthFile::new(docker_config_path()).get(&server).ok()??;
    Some(m::AuthConfig {
        username: Some(creds.username),
        password: Some(creds.password),
        serveraddress: Some(server),
    })
}
