//! Where the driver finds its AWS credentials and region, in the order the AWS SDKs (and
//! so Docker's daemon) look: the environment, then the shared files under `~/.aws`.
//! The environment is the shipper's, inherited from whoever started the container, as
//! Docker's driver uses the daemon's.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

/// How the lookups see the environment (the process's, or a test's).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

fn var(env: Env, key: &str) -> Option<String> {
    env(key).filter(|v| !v.is_empty())
}

fn home_file(env: Env, override_var: &str, name: &str) -> Option<PathBuf> {
    var(env, override_var)
        .map(PathBuf::from)
        .or_else(|| var(env, "HOME").map(|h| Path::new(&h).join(".aws").join(name)))
}

fn profile(env: Env) -> String {
    var(env, "AWS_PROFILE").unwrap_or_else(|| "default".into())
}

/// The `key` of `[section]` in an INI-style AWS file.
fn ini_value(text: &str, section: &str, key: &str) -> Option<String> {
    let mut current = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = name.trim().to_string();
            continue;
        }
        if current != section {
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            if k.trim() == key {
                return Some(v.trim().to_string());
            }
        }
    }
    None
}

/// The credentials, or why there are none (said in the words a user can act on).
pub fn credentials(env: Env) -> Result<Credentials, String> {
    if let (Some(id), Some(secret)) = (
        var(env, "AWS_ACCESS_KEY_ID"),
        var(env, "AWS_SECRET_ACCESS_KEY"),
    ) {
        return Ok(Credentials {
            access_key_id: id,
            secret_access_key: secret,
            session_token: var(env, "AWS_SESSION_TOKEN"),
        });
    }
    let profile = profile(env);
    let Some(path) = home_file(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials") else {
        return Err("no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".into());
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "no AWS credentials: AWS_ACCESS_KEY_ID is not set and {} cannot be read ({e})",
            path.display()
        )
    })?;
    match (
        ini_value(&text, &profile, "aws_access_key_id"),
        ini_value(&text, &profile, "aws_secret_access_key"),
    ) {
        (Some(id), Some(secret)) => Ok(Credentials {
            access_key_id: id,
            secret_access_key: secret,
            session_token: ini_value(&text, &profile, "aws_session_token"),
        }),
        _ => Err(format!(
            "no AWS credentials: profile [{profile}] in {} has no aws_access_key_id and \
             aws_secret_access_key",
            path.display()
        )),
    }
}

/// The region: the option, `AWS_REGION`, `AWS_DEFAULT_REGION`, or the profile's in
/// `~/.aws/config`.
pub fn region(option: Option<&str>, env: Env) -> Result<String, String> {
    if let Some(r) = option {
        return Ok(r.to_string());
    }
    if let Some(r) = var(env, "AWS_REGION").or_else(|| var(env, "AWS_DEFAULT_REGION")) {
        return Ok(r);
    }
    let profile = profile(env);
    // `~/.aws/config` names profiles other than the default `[profile NAME]`.
    let section = if profile == "default" {
        profile.clone()
    } else {
        format!("profile {profile}")
    };
    home_file(env, "AWS_CONFIG_FILE", "config")
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|text| ini_value(&text, &section, "region"))
        .ok_or_else(|| {
            "could not determine the AWS region: set the awslogs-region log opt or AWS_REGION"
                .into()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_environment_comes_first() {
        let vars = env_of(&[
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_DEFAULT_REGION", "us-east-1"),
        ]);
        let env = |k: &str| vars.get(k).cloned();
        let c = credentials(&env).unwrap();
        assert_eq!((c.access_key_id.as_str(), c.session_token), ("test", None));
        assert_eq!(region(None, &env).unwrap(), "us-east-1");
        assert_eq!(region(Some("eu-west-1"), &env).unwrap(), "eu-west-1");
    }

    #[test]
    fn then_the_shared_files_as_seed_000_writes_them() {
        let dir = tempfile::tempdir().unwrap();
        let aws = dir.path().join(".aws");
        std::fs::create_dir(&aws).unwrap();
        std::fs::write(
            aws.join("credentials"),
            "[default]\naws_access_key_id = test\naws_secret_access_key = test\n\n\
             [other]\naws_access_key_id=o\naws_secret_access_key=p\naws_session_token=t\n",
        )
        .unwrap();
        std::fs::write(aws.join("config"), "[profile other]\nregion = ap-south-1\n").unwrap();
        let home = dir.path().to_string_lossy().to_string();
        let vars = env_of(&[("HOME", &home)]);
        let env = |k: &str| vars.get(k).cloned();
        assert_eq!(credentials(&env).unwrap().secret_access_key, "test");
        let e = region(None, &env).unwrap_err();
        assert!(e.contains("awslogs-region"), "{e}");
        let vars = env_of(&[("HOME", &home), ("AWS_PROFILE", "other")]);
        let env = |k: &str| vars.get(k).cloned();
        let c = credentials(&env).unwrap();
        assert_eq!(c.session_token.as_deref(), Some("t"));
        assert_eq!(region(None, &env).unwrap(), "ap-south-1");
    }

    #[test]
    fn none_anywhere_says_what_to_set() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_string_lossy().to_string();
        let vars = env_of(&[("HOME", &home)]);
        let env = |k: &str| vars.get(k).cloned();
        let e = credentials(&env).unwrap_err();
        assert!(
            e.contains("AWS_ACCESS_KEY_ID") && e.contains(".aws/credentials"),
            "{e}"
        );
    }
}
