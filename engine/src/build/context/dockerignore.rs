//! `.dockerignore`: which files of the context a build never sees, with Docker's rules.
//! Lines are read as Docker's `ignorefile` reads them (a `#` in the first column starts
//! a comment, blanks skipped, a leading `!` marks an exception, each pattern cleaned as
//! a slash path with a leading `/` dropped), and a path is judged as `patternmatcher`'s
//! `MatchesOrParentMatches` judges it: every line is tried in order, a line matching the
//! path or one of its parent directories sets the verdict, so the last matching line
//! wins and an excluded directory takes everything below it along.

use super::clean::clean;
use super::ignore_pattern::{without_trailing_glob, Pattern};
use crate::error::{Error, Result};

#[derive(Debug, Clone)]
struct Rule {
    pattern: Pattern,
    exception: bool,
}

/// The parsed `.dockerignore` of a context; empty when there is none.
#[derive(Debug, Clone, Default)]
pub struct Ignore {
    rules: Vec<Rule>,
    /// Some exception has a wildcard left after its trailing `/**` or `/*`: then any
    /// excluded directory may hold something it re-includes (BuildKit's walker rule).
    wildcard_exceptions: bool,
}

impl Ignore {
    /// An `Ignore` that excludes nothing.
    pub fn none() -> Ignore {
        Ignore::default()
    }

    pub fn parse(text: &str) -> Result<Ignore> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut rules = Vec::new();
        for line in text.lines() {
            // Only a `#` in the very first column is a comment, as in Docker.
            if line.starts_with('#') {
                continue;
            }
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let (exception, rest) = match line.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, line),
            };
            if exception && rest.is_empty() {
                return Err(Error::invalid(
                    ".dockerignore: illegal exclusion pattern: \"!\"",
                ));
            }
            let mut cleaned = clean(rest);
            if cleaned.len() > 1 && cleaned.starts_with('/') {
                cleaned.remove(0);
            }
            let pattern = Pattern::new(&cleaned).map_err(|_| {
                Error::invalid(format!(".dockerignore: syntax error in pattern {:?}", line))
            })?;
            rules.push(Rule { pattern, exception });
        }
        let wildcard_exceptions = rules.iter().any(|r| {
            r.exception
                && without_trailing_glob(r.pattern.text()).contains(['*', '[', ']', '?', '^', '\\'])
        });
        Ok(Ignore {
            rules,
            wildcard_exceptions,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether the build never sees `rel_path` (slash-separated, relative to the context
    /// root). The root itself is never excluded.
    pub fn excluded(&self, rel_path: &str) -> bool {
        let path = clean(rel_path.trim_start_matches('/'));
        if path == "." || self.rules.is_empty() {
            return false;
        }
        let parents: Vec<&str> = match path.rfind('/') {
            Some(end) => path[..end]
                .match_indices('/')
                .map(|(i, _)| &path[..i])
                .chain(std::iter::once(&path[..end]))
                .collect(),
            None => Vec::new(),
        };
        let mut excluded = false;
        for rule in &self.rules {
            // An exclusion cannot change an excluded path, nor an exception a kept one.
            if rule.exception != excluded {
                continue;
            }
            let hit =
                rule.pattern.matches(&path) || parents.iter().any(|p| rule.pattern.matches(p));
            if hit {
                excluded = !rule.exception;
            }
        }
        excluded
    }

    /// Whether an exception could re-include something below the excluded directory
    /// `rel_dir`, so a walker must still look inside it. BuildKit's rule: with only
    /// plain exceptions, one that lies under the directory; with any wildcard
    /// exception, always.
    pub fn may_reinclude_below(&self, rel_dir: &str) -> bool {
        if self.wildcard_exceptions {
            return true;
        }
        let dir = clean(rel_dir.trim_start_matches('/'));
        let dir_slash = format!("{dir}/");
        self.rules.iter().any(|r| {
            r.exception
                && format!("{}/", without_trailing_glob(r.pattern.text())).starts_with(&dir_slash)
        })
    }

    /// Whether a walker has to read the directory `rel_dir`: it is not excluded, or an
    /// exception may bring back something inside it.
    pub fn needs_walk_into(&self, rel_dir: &str) -> bool {
        !self.excluded(rel_dir) || self.may_reinclude_below(rel_dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ig(text: &str) -> Ignore {
        Ignore::parse(text).unwrap()
    }

    #[test]
    fn lines_comments_and_cleaning() {
        let i = ig("\u{feff}# a comment\n\n  *.log  \n /build/ \n./tmp//x/..\r\n #not-a-comment\n");
        assert!(i.excluded("a.log"));
        assert!(!i.excluded("d/a.log"));
        assert!(i.excluded("build"));
        assert!(i.excluded("build/out/bin"));
        assert!(i.excluded("tmp"));
        assert!(i.excluded("#not-a-comment"));
        assert!(!i.excluded("# a comment"));
        assert!(!i.excluded("."));
        assert!(!ig("").excluded("anything"));
    }

    #[test]
    fn table() {
        let cases: &[(&str, &str, bool)] = &[
            ("node_modules", "node_modules/x/y.js", true),
            ("node_modules", "src/node_modules", false),
            ("**/node_modules", "src/node_modules/x", true),
            ("*/temp*", "somedir/temporary.txt", true),
            ("*/temp*", "somedir/sub/temporary.txt", false),
            ("*/*/temp*", "a/b/temp", true),
            ("temp?", "tempa", true),
            ("temp?", "temp", false),
            ("**/*.go", "a/b/c.go", true),
            ("**/*.go", "c.go", true),
            ("docs/**/*.md", "docs/x.md", true),
            ("*", "anything/below", true),
            ("dir", "dir", true),
            ("dir", "dir2", false),
        ];
        for (text, path, want) in cases {
            assert_eq!(ig(text).excluded(path), *want, "{text:?} on {path:?}");
        }
    }

    #[test]
    fn exceptions_last_match_wins() {
        let i = ig("*.md\n!README*.md\nREADME-secret.md\n");
        assert!(i.excluded("CHANGES.md"));
        assert!(!i.excluded("README.md"));
        assert!(i.excluded("README-secret.md"));

        let i = ig("docs\n!docs/keep.txt\n");
        assert!(i.excluded("docs"));
        assert!(i.excluded("docs/other.txt"));
        assert!(!i.excluded("docs/keep.txt"));
        // A later exclusion of the parent takes the exception back.
        let i = ig("docs\n!docs/keep.txt\ndocs\n");
        assert!(i.excluded("docs/keep.txt"));
        // An exception alone changes nothing.
        assert!(!ig("!a").excluded("b"));
    }

    #[test]
    fn walking_into_excluded_directories() {
        let i = ig("docs\n!docs/keep/x.txt\nbuild\n");
        assert!(i.needs_walk_into("docs"));
        assert!(i.needs_walk_into("docs/keep"));
        assert!(!i.needs_walk_into("docs/other"));
        assert!(!i.needs_walk_into("build"));
        assert!(i.needs_walk_into("src"));
        // A plain exception ending in `/**` still names its directory.
        assert!(ig("a\n!a/b/**").needs_walk_into("a/b"));
        assert!(!ig("a\n!a/b/**").needs_walk_into("a/c"));
        // A wildcard exception could match anywhere.
        let i = ig("build\n!**/*.keep\n");
        assert!(i.needs_walk_into("build"));
        assert!(!i.excluded("build/x.keep"));
        // No exceptions at all: excluded directories are skipped.
        assert!(!ig("build").needs_walk_into("build"));
    }

    #[test]
    fn bad_patterns_are_named() {
        let e = Ignore::parse("ok\n[a-\n").unwrap_err().to_string();
        assert!(
            e.contains("syntax error in pattern") && e.contains("[a-"),
            "{e}"
        );
        let e = Ignore::parse("!\n").unwrap_err().to_string();
        assert!(e.contains("illegal exclusion pattern"), "{e}");
    }
}
