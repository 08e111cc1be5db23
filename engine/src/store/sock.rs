//! Unix sockets in directories whose paths may exceed the 108-byte `sun_path` limit:
//! bind and connect through `/proc/self/fd/<dirfd>/<name>`, which is always short.

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;

fn via_dir<T>(dir: &Path, name: &str, f: impl FnOnce(&Path) -> io::Result<T>) -> io::Result<T> {
    let d = File::open(dir)?;
    let short = format!("/proc/self/fd/{}/{name}", d.as_raw_fd());
    f(Path::new(&short))
}

pub fn bind_in(dir: &Path, name: &str) -> io::Result<UnixListener> {
    let _ = std::fs::remove_file(dir.join(name));
    via_dir(dir, name, |p| UnixListener::bind(p))
}

pub fn connect_in(dir: &Path, name: &str) -> io::Result<UnixStream> {
    via_dir(dir, name, |p| UnixStream::connect(p))
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_directory_paths_work() {
        let d = tempfile::tempdir().unwrap();
        let deep = d.path().join("x".repeat(60)).join("y".repeat(60));
        std::fs::create_dir_all(&deep).unwrap();
        let l = super::bind_in(&deep, "s.sock").unwrap();
        let _c = super::connect_in(&deep, "s.sock").unwrap();
        assert!(l.accept().is_ok());
    }
}
