//! Seccomp for a container's processes. By default a filter in the spirit of Docker's
//! default profile: the syscalls a container has no business making (kernel modules,
//! kexec, reboot, clock setting, keyrings, bpf, perf, handle-based opens, userfaultfd,
//! and — without CAP_SYS_ADMIN — new namespaces and mounts) fail with EPERM. Docker's
//! profile is an allow list; ours is the deny list of its most dangerous omissions.
//! `--security-opt seccomp=PROFILE.json` replaces it with a profile in Docker's format
//! ([`profile`]), `seccomp=unconfined` and `--privileged` remove it. Either way the
//! filter is data ([`bpf::Filter`]) compiled to classic BPF, and syscalls of foreign ABIs
//! (i386 via int 0x80, x32) are refused outright so they cannot go around it.

pub mod bpf;
pub mod profile;
pub mod syscalls;

use std::sync::Arc;

use bpf::{Action, Filter, Rule};

/// Refused for every container that is not `--privileged`.
const ALWAYS: &[libc::c_long] = &[
    libc::SYS_acct,
    libc::SYS_add_key,
    libc::SYS_bpf,
    libc::SYS_clock_adjtime,
    libc::SYS_clock_settime,
    libc::SYS_delete_module,
    libc::SYS_finit_module,
    libc::SYS_init_module,
    libc::SYS_ioperm,
    libc::SYS_iopl,
    libc::SYS_kcmp,
    libc::SYS_kexec_file_load,
    libc::SYS_kexec_load,
    libc::SYS_keyctl,
    libc::SYS_lookup_dcookie,
    libc::SYS_nfsservctl,
    libc::SYS_open_by_handle_at,
    libc::SYS_perf_event_open,
    libc::SYS_quotactl,
    libc::SYS_reboot,
    libc::SYS_request_key,
    libc::SYS_settimeofday,
    libc::SYS_swapoff,
    libc::SYS_swapon,
    libc::SYS_sysfs,
    libc::SYS__sysctl,
    libc::SYS_uselib,
    libc::SYS_userfaultfd,
    libc::SYS_ustat,
];

/// Refused unless the container has CAP_SYS_ADMIN (as Docker's profile does).
const SYS_ADMIN_ONLY: &[libc::c_long] = &[
    libc::SYS_mount,
    libc::SYS_umount2,
    libc::SYS_pivot_root,
    libc::SYS_setns,
    libc::SYS_unshare,
    libc::SYS_fsopen,
    libc::SYS_fsmount,
    libc::SYS_move_mount,
    libc::SYS_open_tree,
];

/// Which filter a process gets.
#[derive(Debug, Clone, Default)]
pub enum Seccomp {
    /// Berth's deny list.
    #[default]
    Default,
    /// No filter (`--privileged`, `--security-opt seccomp=unconfined`).
    Unconfined,
    /// A profile in Docker's format.
    Profile(Arc<profile::Profile>),
}

/// Berth's own filter for a container holding `caps`.
pub fn default_filter(caps: &[String]) -> Filter {
    let mut denied: Vec<libc::c_long> = ALWAYS.to_vec();
    if !caps.iter().any(|c| c == "CAP_SYS_ADMIN") {
        denied.extend_from_slice(SYS_ADMIN_ONLY);
    }
    Filter {
        default: Action::Allow,
        rules: denied
            .into_iter()
            .map(|nr| Rule {
                nr: nr as u32,
                args: Vec::new(),
                action: Action::Errno(libc::EPERM as u16),
            })
            .collect(),
    }
}

/// The filter `mode` gives a process holding `caps`; None when it runs unconfined.
pub fn filter_for(mode: &Seccomp, caps: &[String]) -> Result<Option<Filter>, String> {
    Ok(match mode {
        Seccomp::Default => Some(default_filter(caps)),
        Seccomp::Unconfined => None,
        Seccomp::Profile(p) => Some(p.filter(&profile::Context::of_this_host(caps))?),
    })
}

/// Install `mode`'s filter on the calling thread. The caller must hold CAP_SYS_ADMIN or
/// have set no_new_privs first (the kernel's rule for unprivileged filters).
pub fn install(mode: &Seccomp, caps: &[String]) -> Result<(), String> {
    let Some(filter) = filter_for(mode, caps)? else {
        return Ok(());
    };
    let mut prog = bpf::compile(&filter)?;
    let fprog = libc::sock_fprog {
        // compile() refuses programs longer than BPF_MAXINSNS (4096).
        len: prog.len() as u16,
        filter: prog.as_mut_ptr(),
    };
    // SAFETY: PR_SET_SECCOMP reads `fprog` and the program it points to, both alive here.
    let rc = unsafe {
        libc::prctl(
            libc::PR_SET_SECCOMP,
            libc::SECCOMP_MODE_FILTER,
            &fprog as *const libc::sock_fprog,
        )
    };
    if rc != 0 {
        return Err(format!(
            "install seccomp filter: {}",
            std::io::Error::last_os_error()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_filter_follows_cap_sys_admin() {
        let plain = default_filter(&[]);
        assert_eq!(plain.default, Action::Allow);
        assert!(plain
            .rules
            .iter()
            .all(|r| r.action == Action::Errno(libc::EPERM as u16) && r.args.is_empty()));
        let has = |f: &Filter, nr: libc::c_long| f.rules.iter().any(|r| r.nr == nr as u32);
        assert!(has(&plain, libc::SYS_mount) && has(&plain, libc::SYS_kexec_load));
        // With CAP_SYS_ADMIN, mount and friends are no longer refused.
        let admin = default_filter(&["CAP_SYS_ADMIN".into()]);
        assert_eq!(plain.rules.len() - admin.rules.len(), SYS_ADMIN_ONLY.len());
        assert!(!has(&admin, libc::SYS_mount) && has(&admin, libc::SYS_kexec_load));
        assert!(bpf::compile(&plain).is_ok());
        assert!(filter_for(&Seccomp::Unconfined, &[]).unwrap().is_none());
    }
}
