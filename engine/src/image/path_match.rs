//! Shell-style patterns with the semantics of Go's `path.Match`, which Docker's
//! `images --filter reference=` uses: `*` is any run of characters except `/`, `?` one
//! character except `/`, `[a-z]`/`[^a-z]` a class, and `\` quotes the next character.
//! A malformed pattern matches nothing (Go returns ErrBadPattern; Docker then lists
//! nothing).

/// Whether all of `name` matches `pattern`.
pub fn path_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    matches_at(&p, &n).unwrap_or(false)
}

/// Backtracking over `*`; `None` for a malformed pattern.
fn matches_at(p: &[char], n: &[char]) -> Option<bool> {
    let (mut pi, mut ni) = (0, 0);
    // Where to resume after the last `*`: its pattern position and the name position.
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi + 1, ni));
            pi += 1;
            continue;
        }
        if pi < p.len() {
            if let Some(used) = one(&p[pi..], n[ni])? {
                pi += used;
                ni += 1;
                continue;
            }
        }
        // Let the last `*` take one more character, never a `/`.
        match star {
            Some((sp, sn)) if n[sn] != '/' => {
                star = Some((sp, sn + 1));
                pi = sp;
                ni = sn + 1;
            }
            _ => {
                // A bad pattern is bad even when the name already failed to match.
                check_rest(&p[pi..])?;
                return Some(false);
            }
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    check_rest(&p[pi..])?;
    Some(pi == p.len())
}

/// Does the pattern element at the start of `p` match `c`? Returns how many pattern
/// characters it used; `Ok(None)`-like `Some(None)` when it does not match.
fn one(p: &[char], c: char) -> Option<Option<usize>> {
    match p[0] {
        '?' => Some((c != '/').then_some(1)),
        '\\' => {
            let q = *p.get(1)?;
            Some((q == c).then_some(2))
        }
        '[' => class(p, c),
        lit => Some((lit == c).then_some(1)),
    }
}

/// `[...]` at the start of `p`: whether `c` is in it, and the class's length.
fn class(p: &[char], c: char) -> Option<Option<usize>> {
    let mut i = 1;
    let negated = p.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    let mut hit = false;
    let mut first = true;
    loop {
        let ch = *p.get(i)?;
        if ch == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        let lo = literal(p, &mut i)?;
        let hi = if p.get(i) == Some(&'-') && p.get(i + 1).is_some_and(|&x| x != ']') {
            i += 1;
            literal(p, &mut i)?
        } else {
            lo
        };
        if lo > hi {
            return None;
        }
        hit |= lo <= c && c <= hi;
    }
    Some((hit != negated && c != '/').then_some(i))
}

fn literal(p: &[char], i: &mut usize) -> Option<char> {
    let ch = *p.get(*i)?;
    if ch == '\\' {
        let q = *p.get(*i + 1)?;
        *i += 2;
        return Some(q);
    }
    if ch == '-' || ch == ']' {
        return None;
    }
    *i += 1;
    Some(ch)
}

/// Go reports a malformed remainder of the pattern even after a mismatch.
fn check_rest(p: &[char]) -> Option<()> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' => {
                p.get(i + 1)?;
                i += 2;
            }
            '[' => {
                // Any character is fine to probe the class's shape with.
                let used = class(&p[i..], '\0')?.unwrap_or_else(|| class_len(&p[i..]));
                i += used;
            }
            _ => i += 1,
        }
    }
    Some(())
}

fn class_len(p: &[char]) -> usize {
    let mut i = 1;
    if p.get(i) == Some(&'^') {
        i += 1;
    }
    let mut first = true;
    while let Some(&ch) = p.get(i) {
        if ch == ']' && !first {
            return i + 1;
        }
        first = false;
        i += if ch == '\\' { 2 } else { 1 };
    }
    p.len()
}

#[cfg(test)]
mod tests {
    use super::path_match;

    #[test]
    fn stars_stop_at_slashes() {
        assert!(path_match("bus*", "busybox"));
        assert!(path_match("bus*", "bus"));
        assert!(!path_match("bus*", "library/busybox"));
        assert!(path_match("*/*:latest", "library/busybox:latest"));
        assert!(!path_match("*/*:latest", "busybox:latest"));
        assert!(!path_match("*/*:latest", "a/b:v1"));
        assert!(path_match("*", ""));
        assert!(path_match("a*b*c", "axxbyyc"));
        assert!(!path_match("a*b*c", "axxbyy"));
    }

    #[test]
    fn question_marks_classes_and_escapes() {
        assert!(path_match("b?sybox", "busybox"));
        assert!(!path_match("a?b", "a/b"));
        assert!(path_match("[a-c]at", "bat"));
        assert!(!path_match("[^a-c]at", "bat"));
        assert!(path_match("[^a-c]at", "rat"));
        assert!(path_match("a\\*b", "a*b"));
        assert!(!path_match("a\\*b", "axb"));
        assert!(path_match("[\\]]", "]"));
    }

    #[test]
    fn malformed_patterns_match_nothing() {
        assert!(!path_match("[", "["));
        assert!(!path_match("a[", "a"));
        assert!(!path_match("[z-a]", "b"));
        assert!(!path_match("x\\", "x"));
    }
}
