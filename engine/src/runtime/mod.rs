//! Running a process in a container: the launch spec (plain data), the clone/sync dance
//! with the monitor, the child's setup steps (rootfs, /proc, /dev, pivot_root, masks,
//! capabilities, user, rlimits), the optional mini-init, ptys, and exec via setns.
//!
//! The child steps run in a freshly cloned, single-threaded process: allocation is safe
//! there because the monitor that clones is single-threaded too (see DESIGN.md).

pub mod caps;
pub mod devices;
pub mod exec;
pub mod fdpass;

pub mod init;
pub mod minit;
pub mod mounts;
pub mod paths;
pub mod proctitle;
pub mod pty;
pub mod seccomp;
pub mod seed;
pub mod spawn;
pub mod spec;
pub mod user;

pub use spec::LaunchSpec;
