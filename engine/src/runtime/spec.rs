//! The launch spec: everything the child needs to become the container, as plain data
//! computed by the monitor before it clones (so the child does no lookups in the host).

use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MountKind {
    /// Bind a host path (bind mounts and volume data dirs).
    Bind,
    /// A fresh tmpfs with its mount flags and data (`size=64m,mode=1777`).
    Tmpfs(crate::volume::tmpfs::TmpfsOptions),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecMount {
    pub kind: MountKind,
    pub source: PathBuf,
    /// Absolute path inside the container.
    pub destination: String,
    pub readonly: bool,
    /// A volume seen for the first time: copy the image's content at `destination` into
    /// it before mounting, as Docker does.
    pub seed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetMode {
    /// A new network namespace with loopback only (until a network driver attaches it).
    Private,
    /// Share the host's network namespace.
    Host,
    /// Join another container's network namespace (`--network container:NAME`): the
    /// path of its `/proc/PID/ns/net`.
    Join(PathBuf),
}

/// A namespace other than the network one: the container's own, the host's, or another
/// container's (the path of its `/proc/PID/ns/<kind>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NsMode {
    Private,
    Host,
    Join(PathBuf),
}

/// What is mounted at /dev/shm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShmMount {
    /// A tmpfs of its own, of this many bytes.
    Private(u64),
    /// The host's /dev/shm (`--ipc host`).
    Host,
    /// Another container's /dev/shm, reached through its root (`--ipc container:`).
    Join(PathBuf),
    /// Nothing (`--ipc none`).
    None,
}

#[derive(Debug, Clone)]
pub struct LaunchSpec {
    pub id: String,
    pub hostname: String,
    /// Image layers, lowest first.
    pub lower_dirs: Vec<PathBuf>,
    pub upper_dir: PathBuf,
    pub work_dir: PathBuf,
    /// Where the overlay is mounted (inside the container's own mount namespace only).
    pub rootfs: PathBuf,
    pub readonly_rootfs: bool,
    pub mounts: Vec<SpecMount>,
    /// Files bind-mounted over /etc/hostname, /etc/hosts, /etc/resolv.conf.
    pub etc_files: Vec<(PathBuf, &'static str)>,
    pub process: ProcessSpec,
    /// Run a minimal init as PID 1 that reaps zombies and forwards signals (`--init`).
    pub init: bool,
    /// `--privileged`: a writable /sys and cgroup view and the host's devices in /dev.
    pub privileged: bool,
    /// Hide and freeze Docker's masked and read-only /proc and /sys paths (all but
    /// `--privileged` and `--security-opt systempaths=unconfined`).
    pub mask_paths: bool,
    pub net: NetMode,
    /// `--pid`, `--ipc`, `--uts`.
    pub pid: NsMode,
    pub ipc: NsMode,
    pub uts: NsMode,
    /// /dev/shm: `--shm-size`, or what `--ipc` shares.
    pub shm: ShmMount,
    /// `--domainname` (set in the container's own UTS namespace only).
    pub domainname: String,
    /// `--device` nodes, made in the container's /dev with the host's numbers.
    pub devices: Vec<crate::container::devices::DeviceNode>,
    /// `--sysctl`, written to the container's /proc/sys before it is made read-only.
    pub sysctls: Vec<(String, String)>,
    /// `--ulimit`, on top of the defaults.
    pub ulimits: Vec<crate::container::ulimits::Ulimit>,
    /// `--oom-score-adj`.
    pub oom_score_adj: i64,
}

/// The process to exec, shared by the container's main process and `exec`.
#[derive(Debug, Clone, Default)]
pub struct ProcessSpec {
    pub args: Vec<String>,
    pub env: Vec<String>,
    pub cwd: String,
    /// Make `cwd` if it is missing: the container's main process does, as Docker makes
    /// WORKDIR; an `exec -w` into a missing directory fails instead (126), as Docker's.
    pub create_cwd: bool,
    /// `uid[:gid]` or `name[:group]`, resolved against the container's /etc files.
    pub user: String,
    pub tty: bool,
    /// Capabilities to keep (by name, `CAP_CHOWN` form).
    pub caps: Vec<String>,
    /// The seccomp filter (none for `--privileged`).
    pub seccomp: super::seccomp::Seccomp,
    /// Set no_new_privs (`--security-opt no-new-privileges`): setuid binaries and file
    /// capabilities stop granting anything. Off by default, as in Docker.
    pub no_new_privs: bool,
    /// `--group-add`: group names (looked up in the container's /etc/group) or gids.
    pub group_add: Vec<String>,
}

impl ProcessSpec {
    /// A process started inside a running container as `exec` starts one: the
    /// container's environment, working directory, user and capabilities. `exec` lays its
    /// flags over this; healthchecks use it as is.
    pub fn exec_in(
        rec: &crate::container::ContainerRecord,
        args: Vec<String>,
    ) -> Result<ProcessSpec, String> {
        let hc = &rec.host_config;
        let sec =
            crate::container::security_opt::parse(&hc.security_opt).map_err(|e| e.to_string())?;
        Ok(ProcessSpec {
            args,
            env: rec.config.env.clone(),
            cwd: if rec.config.working_dir.is_empty() {
                "/".into()
            } else {
                rec.config.working_dir.clone()
            },
            create_cwd: false,
            user: rec.config.user.clone(),
            tty: false,
            caps: super::caps::compute(&hc.cap_add, &hc.cap_drop, hc.privileged)?,
            seccomp: sec.seccomp_for(hc.privileged),
            no_new_privs: sec.no_new_privileges,
            group_add: hc.group_add.clone(),
        })
    }
}
