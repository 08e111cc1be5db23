//! Process titles: forked helpers (the monitor, the container's mini-init) would
//! otherwise show the command line of the process they were forked from.

/// Show this process as `title` in `ps`: rename the thread and overwrite the argv area
/// in place (the kernel reports it up to the first NUL once the area is rewritten).
pub fn set(title: &str) {
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
