//! Swarm object IDs as Docker's swarmkit makes them: 25 characters of lower-case base 36
//! (`xkz3ncbqv3w0m7jcq5ybsqv9a`), from the system's random source.

const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

pub fn new_id() -> String {
    crate::store::ids::random_bytes(25)
        .into_iter()
        // Scaled into the alphabet: each letter from 7 or 8 byte values, a bias of no
        // matter for names that only need to differ.
        .map(|b| ALPHABET[(b as usize * 36) / 256] as char)
        .collect()
}

/// A join token's shape: `SWMTKN-1-<50 base36>-<25 base36>`.
pub fn join_token() -> String {
    let long: String = (0..2).map(|_| new_id()).collect();
    format!("SWMTKN-1-{}-{}", &long[..50], new_id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_swarmkits() {
        let a = new_id();
        assert_eq!(a.len(), 25);
        assert!(a.bytes().all(|c| ALPHABET.contains(&c)));
        assert_ne!(a, new_id());
        let t = join_token();
        assert!(
            t.starts_with("SWMTKN-1-") && t.len() == 9 + 50 + 1 + 25,
            "{t}"
        );
    }
}
