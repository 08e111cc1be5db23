//! The operations the TUI's keys and forms ask of the worker, typed as the engine
//! interface takes them (no argv, no subprocess), with the words the status line uses
//! for them.

use bollard::models as m;

/// An operation on a container's name or networks, an image, a network or a volume.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Rename {
        id: String,
        name: String,
        new_name: String,
    },
    Connect {
        network: String,
        id: String,
        name: String,
    },
    Disconnect {
        network: String,
        id: String,
        name: String,
    },
    Commit {
        id: String,
        name: String,
        repo: String,
        tag: String,
    },
    Tag {
        image: String,
        repo: String,
        tag: String,
    },
    RemoveImage(String),
    RemoveNetwork(String),
    RemoveVolume(String),
    PruneNetworks,
    PruneVolumes,
    /// The run form: create (under `name`, if given) and start.
    Run {
        name: Option<String>,
        body: Box<m::ContainerCreateBody>,
    },
    CreateNetwork(Box<m::NetworkCreateRequest>),
    CreateVolume(Box<m::VolumeCreateRequest>),
    /// `P`: pull an image by name; `U`: push the selected one.
    Pull(String),
    Push(String),
    /// The build form: a context directory, its Dockerfile, the tags.
    Build {
        context: String,
        dockerfile: String,
        tags: Vec<String>,
        no_cache: bool,
    },
    /// A compose project as a whole, through compose's own functions.
    Compose {
        project: String,
        verb: ComposeVerb,
    },
    /// A swarm service (its ID, its name for the status line).
    Service {
        id: String,
        name: String,
        verb: ServiceVerb,
    },
}

/// What is done to a swarm service (the services pane's keys and forms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceVerb {
    /// `service scale NAME=N`.
    Scale(u64),
    /// `service update --image --env`: a rolling update to this image and env.
    Update { image: String, env: Vec<String> },
    /// `service rollback`: back to the spec before its last update.
    Rollback,
    /// `service rm`.
    Remove,
}

/// What is done to a whole compose project (a project header's keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComposeVerb {
    /// `compose up -d` from the files its labels name, read again.
    Up,
    /// `compose start`: its stopped containers, dependencies first.
    Start,
    /// `compose stop`: dependents first.
    Stop,
    /// `compose restart`: dependencies first.
    Restart,
    /// `compose down`: its containers and networks removed (volumes kept).
    Down,
}

impl ComposeVerb {
    pub fn word(self) -> &'static str {
        match self {
            ComposeVerb::Up => "up",
            ComposeVerb::Start => "start",
            ComposeVerb::Stop => "stop",
            ComposeVerb::Restart => "restart",
            ComposeVerb::Down => "down",
        }
    }
}

/// A document shown over the panes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Show {
    /// `i`: the container's inspect document (as `berth inspect` prints it).
    Inspect { id: String },
    /// `H`: the image's layers (as `berth history` prints them).
    History { image: String },
}

impl Op {
    /// What the status line calls it: "rename web to edge", "remove network back".
    pub fn describe(&self) -> String {
        match self {
            Op::Rename { name, new_name, .. } => format!("rename {name} to {new_name}"),
            Op::Connect { network, name, .. } => format!("connect {name} to {network}"),
            Op::Disconnect { network, name, .. } => format!("disconnect {name} from {network}"),
            Op::Commit {
                name, repo, tag, ..
            } => format!("commit {name} as {repo}:{tag}"),
            Op::Tag { image, repo, tag } => format!("tag {image} as {repo}:{tag}"),
            Op::RemoveImage(r) => format!("remove image {r}"),
            Op::RemoveNetwork(n) => format!("remove network {n}"),
            Op::RemoveVolume(v) => format!("remove volume {v}"),
            Op::PruneNetworks => "prune networks".into(),
            Op::PruneVolumes => "prune volumes".into(),
            Op::Run { name, body } => {
                let image = body.image.as_deref().unwrap_or_default();
                match name {
                    Some(n) => format!("run {image} as {n}"),
                    None => format!("run {image}"),
                }
            }
            Op::CreateNetwork(r) => format!("create network {}", r.name),
            Op::CreateVolume(r) => match r.name.as_deref() {
                Some(n) if !n.is_empty() => format!("create volume {n}"),
                _ => "create a volume".into(),
            },
            Op::Pull(r) => format!("pull {r}"),
            Op::Push(r) => format!("push {r}"),
            Op::Build { context, tags, .. } => match tags.first() {
                Some(t) => format!("build {t} from {context}"),
                None => format!("build {context}"),
            },
            Op::Compose { project, verb } => format!("compose {} {project}", verb.word()),
            Op::Service { name, verb, .. } => match verb {
                ServiceVerb::Scale(n) => format!("scale {name} to {n}"),
                ServiceVerb::Update { image, .. } => format!("update {name} to {image}"),
                ServiceVerb::Rollback => format!("roll back {name}"),
                ServiceVerb::Remove => format!("remove service {name}"),
            },
        }
    }
}

/// `repository[:tag]` apart, the tag `latest` when none is given (a colon before the
/// last slash is a registry's port, not a tag).
pub fn split_reference(r: &str) -> (String, String) {
    let slash = r.rfind('/').map_or(0, |i| i + 1);
    match r[slash..].rfind(':') {
        Some(i) => (r[..slash + i].to_string(), r[slash + i + 1..].to_string()),
        None => (r.to_string(), "latest".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_at_the_tag_not_the_registry_port() {
        let s = |r| split_reference(r);
        assert_eq!(s("snap:1"), ("snap".into(), "1".into()));
        assert_eq!(s("mine"), ("mine".into(), "latest".into()));
        assert_eq!(
            s("localhost:5000/app"),
            ("localhost:5000/app".into(), "latest".into())
        );
        assert_eq!(
            s("localhost:5000/app:v2"),
            ("localhost:5000/app".into(), "v2".into())
        );
    }
}
