//! `--detach-keys`: Docker's key sequence syntax (`ctrl-p,ctrl-q`, `ctrl-a,x`), turned
//! into the bytes the terminal sends.

/// The default sequence, ctrl-p ctrl-q.
pub const DEFAULT: &[u8] = &[0x10, 0x11];

/// Parse a comma-separated sequence: single characters stand for themselves, `ctrl-X`
/// for the control code of a letter or of `@ [ \ ] ^ _`.
pub fn parse(s: &str) -> Result<Vec<u8>, String> {
    let bad = |k: &str| {
        format!(
            "invalid argument {s:?} for \"--detach-keys\" flag: unknown key {k:?} (use a single character or ctrl-<a-z, @, [, \\, ], ^, _>, comma-separated)"
        )
    };
    let mut out = Vec::new();
    for key in s.split(',') {
        if key.len() == 1 && key.is_ascii() {
            out.push(key.as_bytes()[0]);
            continue;
        }
        let Some(c) = key.strip_prefix("ctrl-") else {
            return Err(bad(key));
        };
        let code = match c.as_bytes() {
            [b @ b'a'..=b'z'] => b - b'a' + 1,
            [b'@'] => 0,
            [b'['] => 27,
            [b'\\'] => 28,
            [b']'] => 29,
            [b'^'] => 30,
            [b'_'] => 31,
            _ => return Err(bad(key)),
        };
        out.push(code);
    }
    Ok(out)
}

/// Watches typed input for the sequence across reads.
#[derive(Debug)]
pub struct Matcher {
    keys: Vec<u8>,
    matched: usize,
}

impl Matcher {
    pub fn new(keys: Vec<u8>) -> Matcher {
        Matcher { keys, matched: 0 }
    }

    /// Feed one typed byte; true when it completes the sequence.
    pub fn feed(&mut self, b: u8) -> bool {
        if self.keys.is_empty() {
            return false;
        }
        if self.keys[self.matched] == b {
            self.matched += 1;
        } else {
            self.matched = usize::from(self.keys[0] == b);
        }
        if self.matched == self.keys.len() {
            self.matched = 0;
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockers_syntax() {
        assert_eq!(parse("ctrl-p,ctrl-q").unwrap(), DEFAULT);
        assert_eq!(parse("ctrl-a,x").unwrap(), vec![1, b'x']);
        assert_eq!(parse("ctrl-@,ctrl-_").unwrap(), vec![0, 31]);
        for bad in ["ctrl-", "ctrl-1", "alt-x", "xy", ""] {
            let e = parse(bad).unwrap_err();
            assert!(e.contains("\"--detach-keys\" flag"), "{bad}: {e}");
        }
    }

    #[test]
    fn matches_across_reads() {
        let mut m = Matcher::new(parse("ctrl-a,x").unwrap());
        assert!(!m.feed(1));
        assert!(m.feed(b'x'));
        assert!(!m.feed(b'x'));
        assert!(!m.feed(1) && !m.feed(1) && m.feed(b'x'));
        assert!(!m.feed(b'y'));
    }
}
