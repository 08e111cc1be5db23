//! Go's `path.Clean` on slash paths: `.dockerignore` patterns and COPY sources are
//! cleaned this way by Docker before anything is matched, so `a//b/./c/..` and `a/b`
//! name the same thing here as there.

/// The shortest lexically equal path: repeated `/` collapsed, `.` dropped, `x/..` removed,
/// `..` at the start of a rooted path dropped; `""` becomes `"."`.
pub fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                // `/..` is `/`; a relative path keeps its leading `..`s.
                _ if rooted => {}
                _ => parts.push(".."),
            },
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn cleans_like_go() {
        for (input, want) in [
            ("", "."),
            (".", "."),
            ("a/", "a"),
            ("./a", "a"),
            ("a//b/./c/..", "a/b"),
            ("../a", "../a"),
            ("a/../../b", "../b"),
            ("/../a", "/a"),
            ("/", "/"),
            ("//a/", "/a"),
            ("a/..", "."),
        ] {
            assert_eq!(clean(input), want, "{input:?}");
        }
    }
}
