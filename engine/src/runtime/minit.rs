//! `--init`: PID 1 stays a tiny init that forwards signals to the command and reaps every
//! zombie, so a container whose command ignores SIGTERM or leaks children still behaves.

use nix::sys::signal::{kill, SigSet, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};

use super::init::Failure;

/// Returns in the child (which goes on to exec); the parent never returns. The parent
/// closes `err_write`, the start-error pipe, so the monitor sees EOF once the child execs.
pub fn fork_and_supervise(err_write: std::os::fd::RawFd) -> Result<(), Failure> {
    // Block everything first so no signal is lost between fork and the wait loop.
    let all = SigSet::all();
    all.thread_block()
        .map_err(|e| format!("block signals: {}", e.desc()))?;
    // SAFETY: single-threaded process (a fresh clone of the single-threaded monitor).
    match unsafe { fork() }.map_err(|e| format!("fork init child: {}", e.desc()))? {
        ForkResult::Child => {
            all.thread_unblock()
                .map_err(|e| format!("unblock signals: {}", e.desc()))?;
            Ok(())
        }
        ForkResult::Parent { child } => {
            let _ = nix::unistd::close(err_write);
            set_title("berth-init");

            supervise(child, &all)
        }
    }
}

fn supervise(child: Pid, set: &SigSet) -> ! {
    loop {
        let sig = match set.wait() {
            Ok(s) => s,
            Err(_) => continue,
        };
        if sig == Signal::SIGCHLD {
            loop {
                match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
                    Ok(WaitStatus::Exited(pid, code)) if pid == child => std::process::exit(code),
                    Ok(WaitStatus::Signaled(pid, s, _)) if pid == child => {
                        std::process::exit(128 + s as i32)
                    }
                    Ok(WaitStatus::StillAlive) | Err(_) => break,
                    Ok(_) => continue,
                }
            }
        } else {
            let _ = kill(child, sig);
        }
    }
}

/// Make `ps` inside the container show this init as `title` instead of the monitor's
/// command line it inherited: rename the thread and overwrite the argv area in place.
fn set_title(title: &str) {
    if let Ok(name) = std::ffi::CString::new(title) {
        // SAFETY: PR_SET_NAME copies at most 16 bytes from a valid C string.
        unsafe { libc::prctl(libc::PR_SET_NAME, name.as_ptr()) };
    }
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return;
    };
    let Some(rest) = stat.rfind(')').map(|i| &stat[i + 2..]) else {
        return;
    };
    // Fields 48 and 49 of /proc/PID/stat (arg_start, arg_end); `rest` starts at field 3.
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let (Some(start), Some(end)) = (
        fields.get(45).and_then(|s| s.parse::<usize>().ok()),
        fields.get(46).and_then(|s| s.parse::<usize>().ok()),
    ) else {
        return;
    };
    if end <= start || start == 0 {
        return;
    }
    let len = end - start;
    let bytes = title.as_bytes();
    let n = bytes.len().min(len - 1);
    // SAFETY: [start, end) is this process's own argv area, mapped and writable; we write
    // within it and NUL-fill the rest.
    unsafe {
        let p = start as *mut u8;
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, n);
        std::ptr::write_bytes(p.add(n), 0, len - n);
        // A non-NUL last byte tells the kernel the title was rewritten: it then reports
        // the area up to the first NUL instead of every byte up to arg_end.
        if n + 1 < len {
            *p.add(len - 1) = b' ';
        }
    }
}
