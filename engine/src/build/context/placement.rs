//! Where a COPY's sources go, by Docker's rules: a destination ending in `/` (or `.`),
//! several sources, a directory source, or a destination that is already a directory in
//! the image take the sources into that directory; a single file otherwise becomes the
//! destination file itself.

use super::clean::clean;
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// Sources land inside the extraction directory.
    IntoDir,
    /// The single file source lands as this base name in the extraction directory.
    AsFile(String),
}

/// The directory to extract a COPY into and how its sources land there. `dest` is as
/// the instruction wrote it (already joined to WORKDIR if it was relative);
/// `n_sources` counts sources after wildcards; `first_is_dir` is the first source's
/// kind; `dest_is_dir_in_image` whether `dest` is an existing directory in the step.
pub fn placement(
    dest: &str,
    n_sources: usize,
    first_is_dir: bool,
    dest_is_dir_in_image: bool,
) -> Result<(String, Placement)> {
    if n_sources == 0 {
        return Err(Error::invalid("COPY: no source files were specified"));
    }
    if dest.is_empty() {
        return Err(Error::invalid("COPY: no destination specified"));
    }
    let names_dir = dest.ends_with('/') || dest == "." || dest.ends_with("/.");
    if n_sources > 1 && !names_dir {
        return Err(Error::invalid(
            "When using COPY with more than one source file, the destination must be a directory and end with a /",
        ));
    }
    let dir = clean(dest);
    if names_dir || first_is_dir || dest_is_dir_in_image {
        return Ok((dir, Placement::IntoDir));
    }
    let (parent, name) = match dir.rfind('/') {
        Some(0) => ("/".to_string(), &dir[1..]),
        Some(i) => (dir[..i].to_string(), &dir[i + 1..]),
        None => (".".to_string(), dir.as_str()),
    };
    Ok((parent, Placement::AsFile(name.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(dest: &str, n: usize, dir: bool, in_image: bool) -> (String, Placement) {
        placement(dest, n, dir, in_image).unwrap()
    }

    #[test]
    fn docker_rules() {
        assert_eq!(
            p("/app/", 1, false, false),
            ("/app".into(), Placement::IntoDir)
        );
        assert_eq!(
            p("/app/", 3, false, false),
            ("/app".into(), Placement::IntoDir)
        );
        assert_eq!(p(".", 2, false, false), (".".into(), Placement::IntoDir));
        assert_eq!(
            p("/app/.", 2, false, false),
            ("/app".into(), Placement::IntoDir)
        );
        assert_eq!(
            p("/app", 1, true, false),
            ("/app".into(), Placement::IntoDir)
        );
        assert_eq!(
            p("/app", 1, false, true),
            ("/app".into(), Placement::IntoDir)
        );
        assert_eq!(
            p("/app/run.sh", 1, false, false),
            ("/app".into(), Placement::AsFile("run.sh".into()))
        );
        assert_eq!(
            p("/x", 1, false, false),
            ("/".into(), Placement::AsFile("x".into()))
        );
        assert_eq!(
            p("x", 1, false, false),
            (".".into(), Placement::AsFile("x".into()))
        );
        assert_eq!(p("/", 1, false, true), ("/".into(), Placement::IntoDir));
    }

    #[test]
    fn several_sources_need_a_slash() {
        let e = placement("/app", 2, false, true).unwrap_err().to_string();
        assert_eq!(
            e,
            "When using COPY with more than one source file, the destination must be a directory and end with a /"
        );
        assert!(placement("/app/", 0, false, false).is_err());
    }
}
