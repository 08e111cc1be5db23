//! Which changed paths a watch rule looks past, as Compose decides it: `.dockerignore`
//! patterns (the build context's) and a rule's own `ignore:`/`include:` patterns are
//! Docker patterns anchored at a directory, matched against a path or any of its
//! parents. The matching itself is the build's `.dockerignore` matcher
//! ([`berth_engine::build::context::Ignore`]), so a file the build never sees is one the
//! watch never acts on; this module only anchors it at a directory.

use std::path::{Path, PathBuf};

use berth_engine::build::context::Ignore;

/// Patterns relative to `root`.
#[derive(Debug, Clone)]
pub struct Anchored {
    root: PathBuf,
    ignore: Ignore,
}

impl Anchored {
    /// `patterns` read as `.dockerignore` lines, anchored at `root`.
    pub fn new(root: &Path, patterns: &[String]) -> Result<Anchored, String> {
        let ignore = Ignore::parse(&patterns.join("\n")).map_err(|e| e.to_string())?;
        Ok(Anchored {
            root: root.to_path_buf(),
            ignore,
        })
    }

    /// An already parsed `.dockerignore`, anchored at its context.
    pub fn from_ignore(root: &Path, ignore: Ignore) -> Anchored {
        Anchored {
            root: root.to_path_buf(),
            ignore,
        }
    }

    /// Whether `path` (absolute) or one of its parents below the root matches. A path
    /// outside the root never does, and neither does the root itself.
    pub fn matches(&self, path: &Path) -> bool {
        match rel(&self.root, path) {
            Some(r) if !r.is_empty() => self.ignore.excluded(&r),
            _ => false,
        }
    }

    /// Whether everything below the directory `dir` matches, so a watcher need not
    /// look inside it (no exception could bring something back below it).
    pub fn covers_dir(&self, dir: &Path) -> bool {
        match rel(&self.root, dir) {
            Some(r) if !r.is_empty() => {
                self.ignore.excluded(&r) && !self.ignore.may_reinclude_below(&r)
            }
            _ => false,
        }
    }
}

/// Several matchers: a path is ignored when any of them matches it.
#[derive(Debug, Clone, Default)]
pub struct AnyOf(pub Vec<Anchored>);

impl AnyOf {
    pub fn matches(&self, path: &Path) -> bool {
        self.0.iter().any(|m| m.matches(path))
    }

    pub fn covers_dir(&self, dir: &Path) -> bool {
        self.0.iter().any(|m| m.covers_dir(dir))
    }
}

/// Editors' and tools' scratch files, which Compose never acts on (its
/// `EphemeralPathMatcher`: GoLand, Emacs, Vim, Kate, Go's umask probe), anchored at `/`.
pub fn ephemeral() -> Anchored {
    let patterns = [
        "**/*___jb_old___",
        "**/*___jb_tmp___",
        "**/.idea/**",
        "**/.#*",
        "**/#*#",
        "**/4913",
        "**/*~",
        "**/.*.swp",
        "**/.*.swx",
        "**/.*.swo",
        "**/.*.swn",
        "**/.*.kate-swp",
        "**/*-go-tmp-umask",
    ];
    let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
    // The patterns are constants that parse; an empty matcher is the safe fallback.
    Anchored::new(Path::new("/"), &patterns)
        .unwrap_or_else(|_| Anchored::from_ignore(Path::new("/"), Ignore::none()))
}

/// `.git` directories below `root`. Compose means to skip them (it anchors `.git/` at
/// `/`, which only ever matches `/.git`); a commit is never a change to sync or
/// rebuild for, so Berth skips them wherever they are below a watched path.
pub fn dot_git(root: &Path) -> Anchored {
    Anchored::new(root, &["**/.git".to_string()])
        .unwrap_or_else(|_| Anchored::from_ignore(root, Ignore::none()))
}

/// `path` relative to `root` with `/` separators; `None` outside it.
pub fn rel(root: &Path, path: &Path) -> Option<String> {
    path.strip_prefix(root)
        .ok()
        .map(|r| r.to_string_lossy().into_owned())
}

/// Whether `path` is `dir` or below it (Compose's `IsChild`).
pub fn is_child(dir: &Path, path: &Path) -> bool {
    path.starts_with(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(root: &str, patterns: &[&str]) -> Anchored {
        let p: Vec<String> = patterns.iter().map(|s| s.to_string()).collect();
        Anchored::new(Path::new(root), &p).unwrap()
    }

    #[test]
    fn patterns_are_anchored_at_their_root() {
        let i = m("/p/src", &["node_modules/", "*.tmp"]);
        assert!(i.matches(Path::new("/p/src/node_modules")));
        assert!(i.matches(Path::new("/p/src/node_modules/a/b.js")));
        assert!(i.matches(Path::new("/p/src/x.tmp")));
        // `*` does not cross a `/`, as in a .dockerignore.
        assert!(!i.matches(Path::new("/p/src/sub/x.tmp")));
        assert!(!i.matches(Path::new("/p/src/main.go")));
        // Outside the root, and the root itself, never match.
        assert!(!i.matches(Path::new("/p/other/x.tmp")));
        assert!(!i.matches(Path::new("/p/src")));
    }

    #[test]
    fn exceptions_and_whole_directories() {
        let i = m("/c", &["build", "!build/keep.txt", "logs"]);
        assert!(i.matches(Path::new("/c/build/out.o")));
        assert!(!i.matches(Path::new("/c/build/keep.txt")));
        // An exception below it: a watcher still has to look inside `build`.
        assert!(!i.covers_dir(Path::new("/c/build")));
        assert!(i.covers_dir(Path::new("/c/logs")));
        assert!(!i.covers_dir(Path::new("/c/src")));
    }

    #[test]
    fn editors_scratch_files_and_git() {
        let e = ephemeral();
        for p in [
            "/p/src/.main.go.swp",
            "/p/src/main.go~",
            "/p/4913",
            "/p/.idea/workspace.xml",
            "/p/#notes#",
            "/p/.#lock",
        ] {
            assert!(e.matches(Path::new(p)), "{p}");
        }
        assert!(!e.matches(Path::new("/p/src/main.go")));
        let g = dot_git(Path::new("/p"));
        assert!(g.matches(Path::new("/p/.git/index")));
        assert!(g.matches(Path::new("/p/sub/.git/HEAD")));
        assert!(g.covers_dir(Path::new("/p/.git")));
        assert!(!g.matches(Path::new("/p/.gitignore")));
        let any = AnyOf(vec![e, g]);
        assert!(any.matches(Path::new("/p/.git/x")) && any.matches(Path::new("/p/a~")));
        assert!(!any.matches(Path::new("/p/a")));
    }

    #[test]
    fn children() {
        assert!(is_child(Path::new("/p/src"), Path::new("/p/src")));
        assert!(is_child(Path::new("/p/src"), Path::new("/p/src/a/b")));
        assert!(!is_child(Path::new("/p/src"), Path::new("/p/srcx/a")));
        assert_eq!(
            rel(Path::new("/p"), Path::new("/p/a/b")).as_deref(),
            Some("a/b")
        );
        assert_eq!(rel(Path::new("/p"), Path::new("/q")), None);
    }
}
