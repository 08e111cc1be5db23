//! The build context: what a build may read, which files a COPY or ADD names, their checksum for the cache, and the tar a COPY or ADD puts into a step.

mod clean;
mod dockerignore;
mod ignore_pattern;

pub use dockerignore::Ignore;
