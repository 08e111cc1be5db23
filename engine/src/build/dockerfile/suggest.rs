//! "Did you mean ...?" for misspelt keywords, flags and mount options, with BuildKit's
//! rule: the closest option at an edit distance under 3.

/// The closest option to `value` (distance < 3), in the case `value` was written in
/// when `case_sensitive` is false. `None` when nothing is close or `value` is exact.
pub(crate) fn closest(value: &str, options: &[&str], case_sensitive: bool) -> Option<String> {
    let norm = |s: &str| {
        if case_sensitive {
            s.to_string()
        } else {
            s.to_lowercase()
        }
    };
    let v = norm(value);
    let mut best: Option<(usize, String)> = None;
    for opt in options {
        let o = norm(opt);
        if o == v {
            return None;
        }
        let d = distance(&v, &o);
        if d < 3 && best.as_ref().is_none_or(|(bd, _)| d < *bd) {
            best = Some((d, o));
        }
    }
    let (_, found) = best?;
    if case_sensitive || value != value.to_uppercase() {
        Some(found)
    } else {
        Some(found.to_uppercase())
    }
}

/// `message (did you mean X?)` when something is close, else `message`.
pub(crate) fn wrap(message: String, value: &str, options: &[&str], case_sensitive: bool) -> String {
    match closest(value, options, case_sensitive) {
        Some(m) => format!("{message} (did you mean {m}?)"),
        None => message,
    }
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_options() {
        let opts = ["from", "chown", "chmod", "link"];
        assert_eq!(closest("form", &opts, true).as_deref(), Some("from"));
        assert_eq!(closest("chmode", &opts, true).as_deref(), Some("chmod"));
        assert_eq!(closest("platform", &opts, true), None);
        assert_eq!(
            closest("COPPY", &["copy", "run"], false).as_deref(),
            Some("COPY")
        );
        assert_eq!(
            closest("coppy", &["copy", "run"], false).as_deref(),
            Some("copy")
        );
    }
}
