//! Random identifiers: 64-hex container IDs, as Docker's.

use std::fs::File;
use std::io::Read;

pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    // getrandom(2) never fails for small sizes once the pool is initialised; fall back to
    // /dev/urandom if the call is unavailable.
    // SAFETY: the buffer is valid for n bytes.
    let got = unsafe { libc::getrandom(buf.as_mut_ptr().cast(), n, 0) };
    if got != n as isize {
        if let Ok(mut f) = File::open("/dev/urandom") {
            let _ = f.read_exact(&mut buf);
        }
    }
    buf
}

pub fn random_hex(bytes: usize) -> String {
    hex::encode(random_bytes(bytes))
}

/// A new container ID: 64 hex digits whose 12-digit short form is not all digits, so a
/// short ID is never mistaken for a number (Docker does the same).
pub fn new_container_id() -> String {
    loop {
        let id = random_hex(32);
        if !id[..12].bytes().all(|b| b.is_ascii_digit()) {
            return id;
        }
    }
}
