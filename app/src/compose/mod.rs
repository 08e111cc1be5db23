//! Compose: reading `docker compose` project files the way compose-go does (a pipeline
//! of small steps over a generic tree: parse, interpolate, merge, normalize, then the
//! typed model), and running projects through the engine interface.
pub mod dotenv;
pub mod interpolate;
pub mod model;
pub mod tree;
