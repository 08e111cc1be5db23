//! Images in and out through the engine interface: `import` and `load` upload a tar
//! (a file or stdin) as a byte stream, `save` writes the stream the interface hands back
//! to a file (whole or not at all) or to stdout.

use std::io::Write;
use std::path::Path;

use futures_util::StreamExt;

use super::door::{read_stream, Door};
use super::image::{ImportArgs, LoadArgs, SaveArgs};
use super::{CliResult, Failure};
use crate::backend::ByteStream;

pub fn import(door: &Door, a: ImportArgs) -> CliResult {
    // Worded as when the engine opened the file itself.
    let f = std::fs::File::open(&a.file)
        .map_err(|e| format!("Error response from daemon: open {}: {e}", a.file.display()))?;
    let id = door.call(
        door.backend()
            .image_import(read_stream(f), a.reference, a.change, None),
    )?;
    println!("{id}");
    Ok(0)
}

pub fn load(door: &Door, a: LoadArgs) -> CliResult {
    let tar = match &a.input {
        Some(p) => {
            let f = std::fs::File::open(p).map_err(|e| format!("open {}: {e}", p.display()))?;
            read_stream(f)
        }
        None => read_stream(std::io::stdin()),
    };
    let report = door.call(door.backend().image_load(tar))?;
    if !a.quiet {
        for line in report.loaded {
            println!("{line}");
        }
    }
    Ok(0)
}

/// `save --format`: Docker's archive, or berth's OCI layout archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Archive {
    Docker,
    Oci,
}

fn archive_format(f: &str) -> Result<Archive, Failure> {
    match f {
        "docker-archive" | "docker" => Ok(Archive::Docker),
        "oci-archive" | "oci" => Ok(Archive::Oci),
        f => Err(
            format!("invalid value {f:?} for --format: use docker-archive or oci-archive").into(),
        ),
    }
}

pub fn save(door: &Door, a: SaveArgs) -> CliResult {
    let format = archive_format(&a.format)?;
    let archive = |names: Vec<String>| {
        let b = door.backend();
        door.call(async move {
            match format {
                Archive::Docker => b.image_save(names).await,
                Archive::Oci => b.image_save_oci(names).await,
            }
        })
    };
    match &a.output {
        Some(p) => {
            // Written beside the target and renamed over it: a failed save leaves no
            // half an archive under the name asked for.
            let tmp = p.with_extension("berth-partial");
            let mut f = std::fs::File::create(&tmp)
                .map_err(|e| format!("create {}: {e}", tmp.display()))?;
            let res = archive(a.images)
                .map_err(Failure::from)
                .and_then(|s| copy_out(door, s, &mut f, &tmp));
            if let Err(e) = res {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
            std::fs::rename(&tmp, p).map_err(|e| format!("rename to {}: {e}", p.display()))?;
        }
        None => {
            if nix::unistd::isatty(1).unwrap_or(false) {
                return Err(
                    "cowardly refusing to save to a terminal. Use the -o flag or redirect".into(),
                );
            }
            let s = archive(a.images)?;
            let mut out = std::io::stdout().lock();
            copy_out(door, s, &mut out, Path::new("stdout"))?;
        }
    }
    Ok(0)
}

/// Every chunk of `s` into `out`; the stream's own error (a missing image, a broken
/// layer) is the daemon's answer.
fn copy_out(door: &Door, mut s: ByteStream, out: &mut dyn Write, to: &Path) -> Result<(), Failure> {
    let write_err = |e: std::io::Error| Failure::from(format!("write {}: {e}", to.display()));
    door.block_on(async {
        while let Some(chunk) = s.next().await {
            out.write_all(&chunk?).map_err(write_err)?;
        }
        Ok::<(), Failure>(())
    })?;
    out.flush().map_err(write_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_formats_have_short_and_long_names() {
        assert_eq!(archive_format("docker").ok(), Some(Archive::Docker));
        assert_eq!(archive_format("docker-archive").ok(), Some(Archive::Docker));
        assert_eq!(archive_format("oci-archive").ok(), Some(Archive::Oci));
        let e = archive_format("zip").err().map(|f| f.message);
        assert_eq!(
            e.as_deref(),
            Some("invalid value \"zip\" for --format: use docker-archive or oci-archive")
        );
    }
}
