//! Dockerfile builds: the parser (syntax and typed instructions, `dockerfile/`), the build
//! context (`.dockerignore`, source matching, checksums and the tars COPY and ADD put into a
//! step, `context/`), and the builder that runs each step in a real container of the engine
//! and keeps a layer cache.

mod bind_copy;
mod builder;
pub mod cache;
pub mod context;
mod copy_step;
pub mod dockerfile;
pub mod event;
mod meta_step;
pub mod options;
mod owner;
mod run_mounts;
mod run_step;
pub mod scope;
pub mod stages;
mod state;
pub mod step_container;
mod target;
mod workdir_step;

pub use builder::HISTORY_COMMENT;
pub use event::BuildEvent;
pub use options::{BuildOptions, Fetch};
