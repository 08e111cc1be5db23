//! Compose: reading `docker compose` project files the way compose-go does (a pipeline
//! of small steps over a generic tree: parse, interpolate, merge, normalize, then the
//! typed model), running projects through the engine interface, and watching their
//! files (`develop.watch`).
pub mod container_spec;
pub mod dotenv;
pub mod environment;
pub mod extends;
pub mod graph;
pub mod hash;
pub mod interpolate;
pub mod labeled;
pub mod labels;
pub mod load;
#[cfg(test)]
mod load_tests;
pub mod log_prefix;
pub mod merge;
pub mod model;
pub mod normalize;
pub mod project_files;
pub mod relocate;
pub mod run;
pub mod shape;
pub mod substitute;
pub mod tree;
pub mod validate;
pub mod watch;
