//! A seccomp filter in the spirit of Docker's default profile: the syscalls a container
//! has no business making (kernel modules, kexec, reboot, clock setting, keyrings, bpf,
//! perf, handle-based opens, userfaultfd, and — without CAP_SYS_ADMIN — new namespaces
//! and mounts) fail with EPERM. Docker's profile is an allow list; ours is the deny list of
//! its most dangerous omissions, applied as a classic BPF program. Syscalls of foreign
//! ABIs (i386 via int 0x80, x32) are refused outright so they cannot go around the list.

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

const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
const X32_SYSCALL_BIT: u32 = 0x4000_0000;
const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;

fn stmt(code: u16, k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code,
        jt: 0,
        jf: 0,
        k,
    }
}

fn jump(code: u16, k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    libc::sock_filter { code, jt, jf, k }
}

/// The BPF program for a container holding `caps`.
pub fn program(caps: &[String]) -> Vec<libc::sock_filter> {
    const LD_W_ABS: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
    const JEQ_K: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
    const JGE_K: u16 = (libc::BPF_JMP | libc::BPF_JGE | libc::BPF_K) as u16;
    const RET_K: u16 = (libc::BPF_RET | libc::BPF_K) as u16;
    let deny_errno = libc::SECCOMP_RET_ERRNO | libc::EPERM as u32;
    let foreign = libc::SECCOMP_RET_ERRNO | libc::ENOSYS as u32;

    let mut denied: Vec<u32> = ALWAYS.iter().map(|n| *n as u32).collect();
    if !caps.iter().any(|c| c == "CAP_SYS_ADMIN") {
        denied.extend(SYS_ADMIN_ONLY.iter().map(|n| *n as u32));
    }
    // seccomp_data: nr at offset 0, arch at offset 4.
    let mut p = vec![
        stmt(LD_W_ABS, 4),
        jump(JEQ_K, AUDIT_ARCH_X86_64, 1, 0),
        stmt(RET_K, foreign),
        stmt(LD_W_ABS, 0),
        jump(JGE_K, X32_SYSCALL_BIT, 0, 1),
        stmt(RET_K, foreign),
    ];
    // One comparison per denied syscall: on a match, jump to the final "deny" return.
    let n = denied.len();
    for (i, nr) in denied.iter().enumerate() {
        let to_deny = (n - i) as u8; // skips the remaining compares and the allow
        p.push(jump(JEQ_K, *nr, to_deny, 0));
    }
    p.push(stmt(RET_K, SECCOMP_RET_ALLOW));
    p.push(stmt(RET_K, deny_errno));
    p
}

/// Install the filter on the calling thread. Needs no_new_privs (or CAP_SYS_ADMIN) first.
pub fn install(caps: &[String]) -> Result<(), String> {
    let mut prog = program(caps);
    let fprog = libc::sock_fprog {
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
    fn jumps_land_on_the_deny_return() {
        let p = program(&[]);
        let deny = p.len() - 1;
        for (i, ins) in p.iter().enumerate().skip(6).take(p.len() - 8) {
            // jt counts from the next instruction.
            assert_eq!(i + 1 + ins.jt as usize, deny, "instruction {i}");
        }
        assert_eq!(p[deny].k, libc::SECCOMP_RET_ERRNO | libc::EPERM as u32);
        assert_eq!(p[deny - 1].k, SECCOMP_RET_ALLOW);
        // With CAP_SYS_ADMIN, mount and friends are no longer compared.
        let admin = program(&["CAP_SYS_ADMIN".into()]);
        assert_eq!(p.len() - admin.len(), SYS_ADMIN_ONLY.len());
    }
}
