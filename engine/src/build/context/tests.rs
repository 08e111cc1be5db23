//! Tests of the context as a whole (sources, checksums, copy tars, ADD's archives) on
//! temp-dir fixtures.

use std::fs;
use std::io::Read;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;

use super::*;
use crate::image::compress::Compression;

/// A context from (path, content) pairs; a path ending in `/` is a directory, content
/// starting with `->` a symlink to the rest.
fn fixture(files: &[(&str, &str)], ignore: &str) -> (tempfile::TempDir, Context) {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let p = dir.path().join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        if path.ends_with('/') {
            fs::create_dir_all(&p).unwrap();
        } else if let Some(target) = content.strip_prefix("->") {
            symlink(target, &p).unwrap();
        } else {
            fs::write(&p, content).unwrap();
        }
    }
    fs::write(dir.path().join(".dockerignore"), ignore).unwrap();
    let ctx = Context::open(dir.path()).unwrap();
    (dir, ctx)
}

fn rels(ctx: &Context, pattern: &str) -> Vec<String> {
    ctx.matches(pattern)
        .unwrap()
        .into_iter()
        .map(|s| s.rel)
        .collect()
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn open_reads_dockerignore_and_refuses_files() {
    let (dir, ctx) = fixture(&[("a.log", "x"), ("b", "y")], "*.log\n");
    assert!(ctx.ignore().excluded("a.log"));
    assert_eq!(ctx.root(), dir.path());
    fs::remove_file(dir.path().join(".dockerignore")).unwrap();
    assert!(Context::open(dir.path()).unwrap().ignore().is_empty());
    assert!(Context::open(&dir.path().join("b")).is_err());
    let e = Context::open(&dir.path().join("missing")).unwrap_err();
    assert!(e.to_string().contains("missing"), "{e}");
}

#[test]
fn plain_sources() {
    let (dir, ctx) = fixture(&[("src/main.rs", "fn main"), ("top", "t")], "");
    let s = ctx.matches("./src/main.rs").unwrap();
    assert_eq!(
        s,
        vec![Source {
            rel: "src/main.rs".into(),
            path: dir.path().join("src/main.rs"),
            kind: Kind::File
        }]
    );
    assert_eq!(ctx.matches("/src").unwrap()[0].kind, Kind::Dir);
    assert_eq!(rels(&ctx, "."), ["."]);
    assert_eq!(rels(&ctx, "/"), ["."]);
    assert_eq!(rels(&ctx, "src/../top"), ["top"]);
    // Rooted, `..` stops at the context's root.
    assert_eq!(rels(&ctx, "/../top"), ["top"]);
    let e = ctx.matches("missing").unwrap_err().to_string();
    assert_eq!(e, "\"/missing\": not found");
}

#[test]
fn parent_paths_are_forbidden() {
    let (_dir, ctx) = fixture(&[("a", "")], "");
    for p in ["../x", "..", "a/../../x"] {
        let e = ctx.matches(p).unwrap_err().to_string();
        assert_eq!(
            e,
            format!("forbidden path outside the build context: {p} ()")
        );
    }
}

#[test]
fn wildcards_match_per_segment() {
    let (_dir, ctx) = fixture(
        &[
            ("a.txt", ""),
            ("b.txt", ""),
            ("c.md", ""),
            ("dir/d.txt", ""),
            ("dir/sub/e.txt", ""),
            ("txtdir.txt/inner", ""),
        ],
        "",
    );
    assert_eq!(rels(&ctx, "*.txt"), ["a.txt", "b.txt", "txtdir.txt"]);
    assert_eq!(rels(&ctx, "dir/*.txt"), ["dir/d.txt"]);
    assert_eq!(rels(&ctx, "*/*.txt"), ["dir/d.txt"]);
    assert_eq!(rels(&ctx, "[ab].txt"), ["a.txt", "b.txt"]);
    assert_eq!(rels(&ctx, "?.md"), ["c.md"]);
    assert_eq!(rels(&ctx, "di?"), ["dir"]);
    let e = ctx.matches("*.rs").unwrap_err().to_string();
    assert_eq!(e, "\"/*.rs\": not found");
    assert!(ctx.matches("nodir/*.txt").is_err());
}

#[test]
fn excluded_files_are_invisible() {
    let (_dir, ctx) = fixture(
        &[
            ("keep.txt", ""),
            ("secret.txt", ""),
            ("build/out.bin", ""),
            ("docs/a.md", ""),
            ("docs/keep.md", ""),
        ],
        "secret.txt\nbuild\ndocs\n!docs/keep.md\n",
    );
    assert_eq!(rels(&ctx, "*.txt"), ["keep.txt"]);
    assert!(ctx.matches("secret.txt").is_err());
    assert!(ctx.matches("build").is_err());
    assert!(ctx.matches("build/out.bin").is_err());
    // An excluded directory still holds what an exception brings back.
    assert_eq!(rels(&ctx, "docs"), ["docs"]);
    assert_eq!(rels(&ctx, "d*"), ["docs"]);
    assert!(ctx.matches("docs/a.md").is_err());
    assert_eq!(rels(&ctx, "docs/*"), ["docs/keep.md"]);
}

#[test]
fn source_symlinks_are_followed_inside_the_context() {
    let (dir, ctx) = fixture(
        &[
            ("real/f", "x"),
            ("file", "y"),
            ("to_dir", "->real"),
            ("to_file", "->real/f"),
            ("abs", "->/file"),
            ("up", "->../../../file"),
            ("dangling", "->nowhere"),
            ("hidden", "->secret"),
            ("secret", "s"),
            ("loop", "->loop"),
        ],
        "secret\n",
    );
    let root = dir.path();
    let s = &ctx.matches("to_dir").unwrap()[0];
    assert_eq!((s.rel.as_str(), s.kind), ("to_dir", Kind::Dir));
    assert_eq!(s.path, root.join("real"));
    let s = &ctx.matches("to_file").unwrap()[0];
    assert_eq!((s.path.clone(), s.kind), (root.join("real/f"), Kind::File));
    // Absolute targets and `..` resolve against the context's root.
    assert_eq!(ctx.matches("abs").unwrap()[0].path, root.join("file"));
    assert_eq!(ctx.matches("up").unwrap()[0].path, root.join("file"));
    // Through a linked directory.
    assert_eq!(
        ctx.matches("to_dir/f").unwrap()[0].path,
        root.join("real/f")
    );
    assert!(ctx.matches("dangling").is_err());
    assert!(ctx.matches("hidden").is_err());
    assert!(ctx
        .matches("loop")
        .unwrap_err()
        .to_string()
        .contains("too many levels"));
    // A wildcard match that is a link is followed too, and keeps its own name.
    let s = ctx.matches("to_f*").unwrap();
    assert_eq!((s[0].rel.as_str(), s[0].kind), ("to_file", Kind::File));
}

fn tar_entries(tar: &[u8]) -> Vec<(String, EntryKind, u32, u64, u64, String)> {
    let mut a = tar::Archive::new(tar);
    a.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let h = e.header().clone();
            let name = String::from_utf8(e.path_bytes().into_owned()).unwrap();
            let kind = match h.entry_type() {
                tar::EntryType::Directory => EntryKind::Dir,
                tar::EntryType::Symlink => EntryKind::Link,
                tar::EntryType::Regular => EntryKind::File,
                t => panic!("unexpected {t:?}"),
            };
            let mut body = String::new();
            if kind == EntryKind::Link {
                body = e
                    .link_name()
                    .unwrap()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
            } else {
                e.read_to_string(&mut body).unwrap();
            }
            let mode = h.mode().unwrap();
            (name, kind, mode, h.uid().unwrap(), h.gid().unwrap(), body)
        })
        .collect()
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum EntryKind {
    File,
    Dir,
    Link,
}

fn copy_tar(ctx: &Context, pattern: &str, placement: &Placement, opts: &CopyOpts) -> Vec<u8> {
    let sources = ctx.matches(pattern).unwrap();
    let mut out = Vec::new();
    write_copy_tar(&sources, ctx, placement, opts, &mut out).unwrap();
    out
}

#[test]
fn copy_tar_of_a_directory_holds_its_contents() {
    let (dir, ctx) = fixture(
        &[
            ("app/run.sh", "#!/bin/sh"),
            ("app/lib/x.py", "x"),
            ("app/link", "->lib/x.py"),
            ("app/skip.log", "no"),
            ("app/cache/", ""),
        ],
        "**/*.log\napp/cache\n",
    );
    chmod(&dir.path().join("app/run.sh"), 0o755);
    chmod(&dir.path().join("app/lib/x.py"), 0o640);
    chmod(&dir.path().join("app"), 0o750);
    let t = copy_tar(&ctx, "app", &Placement::IntoDir, &CopyOpts::default());
    let e = tar_entries(&t);
    let names: Vec<&str> = e.iter().map(|x| x.0.as_str()).collect();
    // The directory's contents, not the directory itself: no entry carries app's 0750.
    assert_eq!(names, ["lib/", "lib/x.py", "link", "run.sh"]);
    assert_eq!(e[0].1, EntryKind::Dir);
    assert_eq!(e[1].1, EntryKind::File);
    assert_eq!((e[1].2, e[1].5.as_str()), (0o640, "x"));
    assert_eq!((e[2].1, e[2].5.as_str()), (EntryKind::Link, "lib/x.py"));
    assert_eq!((e[3].2, e[3].3, e[3].4), (0o755, 0, 0));
    // Times are kept.
    let mtime = fs::metadata(dir.path().join("app/run.sh"))
        .unwrap()
        .modified()
        .unwrap();
    let secs = mtime
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut a = tar::Archive::new(&t[..]);
    let run = a
        .entries()
        .unwrap()
        .map(|e| e.unwrap())
        .find(|e| e.path().unwrap().ends_with("run.sh"))
        .unwrap();
    assert_eq!(run.header().mtime().unwrap(), secs);
}

#[test]
fn copy_tar_of_files_chown_and_chmod() {
    let (dir, ctx) = fixture(&[("a.txt", "A"), ("b.txt", "B"), ("d/x", "X")], "");
    chmod(&dir.path().join("a.txt"), 0o600);
    let t = copy_tar(&ctx, "*.txt", &Placement::IntoDir, &CopyOpts::default());
    let e = tar_entries(&t);
    assert_eq!(
        e[0],
        ("a.txt".into(), EntryKind::File, 0o600, 0, 0, "A".into())
    );
    assert_eq!(e[1].0, "b.txt");

    let t = copy_tar(
        &ctx,
        "a.txt",
        &Placement::AsFile("renamed".into()),
        &CopyOpts::default(),
    );
    assert_eq!(tar_entries(&t)[0].0, "renamed");

    let opts = CopyOpts {
        chown: Some((1000, 1001)),
        chmod: Some(0o644),
    };
    let (_d2, ctx2) = fixture(&[("d/x", "X"), ("d/sub/", "")], "");
    let e = tar_entries(&copy_tar(&ctx2, "d", &Placement::IntoDir, &opts));
    let dir = (
        "sub/".to_string(),
        EntryKind::Dir,
        0o644,
        1000,
        1001,
        String::new(),
    );
    assert_eq!(e[0], dir);
    let file = (
        "x".to_string(),
        EntryKind::File,
        0o644,
        1000,
        1001,
        "X".to_string(),
    );
    assert_eq!(e[1], file);

    // A directory cannot become a file.
    let sources = ctx.matches("d").unwrap();
    let r = write_copy_tar(
        &sources,
        &ctx,
        &Placement::AsFile("f".into()),
        &opts,
        Vec::new(),
    );
    assert!(r.is_err());
}

#[test]
fn copy_tar_keeps_what_exceptions_bring_back() {
    let (_dir, ctx) = fixture(
        &[
            ("src/docs/a.md", "a"),
            ("src/docs/keep.md", "k"),
            ("src/main.rs", "m"),
        ],
        "src/docs\n!src/docs/keep.md\n",
    );
    let e = tar_entries(&copy_tar(
        &ctx,
        "src",
        &Placement::IntoDir,
        &CopyOpts::default(),
    ));
    let names: Vec<&str> = e.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(names, ["docs/", "docs/keep.md", "main.rs"]);
}

#[test]
fn checksum_is_stable_and_sensitive() {
    let files = [
        ("app/a", "alpha"),
        ("app/sub/b", "beta"),
        ("app/l", "->a"),
        ("app/ignored.tmp", "x"),
    ];
    let (d1, c1) = fixture(&files, "*/*.tmp\n");
    let (d2, c2) = fixture(&files, "*/*.tmp\n");
    let sum = |c: &Context| c.checksum(&c.matches("app").unwrap()).unwrap();
    let base = sum(&c1);
    assert_eq!(base, sum(&c2), "same tree, same digest");
    // Times and excluded files do not count.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    fs::File::options()
        .write(true)
        .open(d2.path().join("app/a"))
        .unwrap()
        .set_modified(later)
        .unwrap();
    fs::write(d2.path().join("app/ignored.tmp"), "changed").unwrap();
    assert_eq!(base, sum(&c2));
    // One byte.
    fs::write(d2.path().join("app/sub/b"), "betA").unwrap();
    assert_ne!(base, sum(&c2));
    fs::write(d2.path().join("app/sub/b"), "beta").unwrap();
    assert_eq!(base, sum(&c2));
    // A mode.
    chmod(&d2.path().join("app/sub/b"), 0o700);
    assert_ne!(base, sum(&c2));
    chmod(&d2.path().join("app/sub/b"), 0o644);
    fs::set_permissions(
        d1.path().join("app/sub/b"),
        fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    assert_eq!(sum(&c1), sum(&c2));
    let base = sum(&c1);
    // A link's target.
    fs::remove_file(d2.path().join("app/l")).unwrap();
    symlink("sub/b", d2.path().join("app/l")).unwrap();
    assert_ne!(base, sum(&c2));
    // A name.
    let (_d3, c3) = fixture(
        &[("app/A", "alpha"), ("app/sub/b", "beta"), ("app/l", "->a")],
        "",
    );
    assert_ne!(base, sum(&c3));
    // A file source hashes as its base name lands.
    let one = |c: &Context, p: &str| c.checksum(&c.matches(p).unwrap()).unwrap();
    let (_d4, c4) = fixture(&[("other/a", "alpha")], "");
    assert_eq!(one(&c1, "app/a"), one(&c4, "other/sub/../a"));
    assert_ne!(one(&c1, "app/a"), one(&c1, "app/sub/b"));
}

fn small_tar() -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(5);
    h.set_mode(0o644);
    h.set_cksum();
    b.append_data(&mut h, "hello.txt", &b"hello"[..]).unwrap();
    b.into_inner().unwrap()
}

#[test]
fn archives_by_content_for_each_compression() {
    let dir = tempfile::tempdir().unwrap();
    let tar = small_tar();
    for c in [
        Compression::None,
        Compression::Gzip,
        Compression::Bzip2,
        Compression::Xz,
        Compression::Zstd,
    ] {
        // Named as anything: the content decides.
        let path = dir.path().join(format!("file-{}.bin", c.name()));
        fs::write(&path, crate::image::compress::tests::compressed(c, &tar)).unwrap();
        let mut out = Vec::new();
        open_archive(&path)
            .unwrap()
            .unwrap_or_else(|| panic!("{} not seen as an archive", c.name()))
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, tar, "{}", c.name());
    }
}

#[test]
fn non_archives_are_files() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, Vec<u8>); 4] = [
        (
            "plain.tar.gz",
            b"just some text, named like an archive".to_vec(),
        ),
        ("empty", Vec::new()),
        // gzip magic, then garbage.
        ("broken.gz", vec![0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8]),
        // An archive of zero blocks only: Go's tar reader finds no header in it.
        ("zeros.tar", vec![0u8; 1024]),
    ];
    for (name, data) in cases {
        let path = dir.path().join(name);
        fs::write(&path, data).unwrap();
        assert!(open_archive(&path).unwrap().is_none(), "{name}");
    }
    let e = open_archive(&dir.path().join("missing")).err().unwrap();
    assert!(e.to_string().contains("missing"), "{e}");
}
