//! `--dns-search` and `--dns-option`: checked at create, and laid over the resolv.conf a
//! container would otherwise get, as Docker writes them: one `search` line and one
//! `options` line replacing the host's (`--dns-search .` means no search domains).

use crate::error::{Error, Result};

/// A search domain as a resolver takes it: dot-separated labels of letters, digits and
/// hyphens (not at a label's ends), at most 255 characters; or `.` for none.
pub fn check_search(domains: &[String]) -> Result<()> {
    for d in domains {
        if d == "." {
            continue;
        }
        let name = d.strip_suffix('.').unwrap_or(d);
        let ok = !name.is_empty()
            && name.len() <= 255
            && name.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            });
        if !ok {
            return Err(Error::flag("--dns-search", d, "not a valid domain name"));
        }
    }
    Ok(())
}

/// Resolver options are single words (`ndots:2`, `edns0`).
pub fn check_options(opts: &[String]) -> Result<()> {
    for o in opts {
        if o.is_empty() || o.contains(char::is_whitespace) {
            return Err(Error::flag(
                "--dns-option",
                o,
                "a resolver option is one word, such as ndots:2",
            ));
        }
    }
    Ok(())
}

/// `text` with its search and options lines replaced by the ones asked for (when any
/// were), after the nameservers.
pub fn apply(text: &str, search: &[String], options: &[String]) -> String {
    if search.is_empty() && options.is_empty() {
        return text.to_string();
    }
    let mut out = String::new();
    for l in text.lines() {
        let first = l.split_whitespace().next();
        let replaced = match first {
            Some("search") | Some("domain") => !search.is_empty(),
            Some("options") => !options.is_empty(),
            _ => false,
        };
        if !replaced {
            out.push_str(l);
            out.push('\n');
        }
    }
    let domains: Vec<&str> = search
        .iter()
        .map(String::as_str)
        .filter(|d| *d != ".")
        .collect();
    if !domains.is_empty() {
        out.push_str(&format!("search {}\n", domains.join(" ")));
    }
    if !options.is_empty() {
        out.push_str(&format!("options {}\n", options.join(" ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn search_and_options_replace_the_hosts() {
        let host = "nameserver 10.0.0.1\nsearch lan\noptions edns0\n";
        assert_eq!(apply(host, &[], &[]), host);
        assert_eq!(
            apply(
                host,
                &v(&["a.example", "b.example"]),
                &v(&["ndots:2", "timeout:1"])
            ),
            "nameserver 10.0.0.1\nsearch a.example b.example\noptions ndots:2 timeout:1\n"
        );
        assert_eq!(
            apply(host, &v(&["."]), &[]),
            "nameserver 10.0.0.1\noptions edns0\n"
        );
        assert_eq!(
            apply(host, &[], &v(&["ndots:1"])),
            "nameserver 10.0.0.1\nsearch lan\noptions ndots:1\n"
        );
    }

    #[test]
    fn bad_values_name_the_flag() {
        assert!(check_search(&v(&["example.com", ".", "a-b.c."])).is_ok());
        for d in ["-a.com", "a..b", "a b", ""] {
            let msg = check_search(&v(&[d])).unwrap_err().to_string();
            assert!(msg.contains("\"--dns-search\" flag"), "{d}: {msg}");
        }
        assert!(check_options(&v(&["ndots:2"])).is_ok());
        let msg = check_options(&v(&["a b"])).unwrap_err().to_string();
        assert!(msg.contains("\"--dns-option\" flag"), "{msg}");
    }
}
