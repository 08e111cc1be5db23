//! `compose watch` (the compose spec's `develop.watch`), as Docker Compose v2 runs it:
//! the selected services' rules planned and checked (`plan`), changes gathered until
//! half a second of quiet (`debounce`), and each batch sorted into per-service actions
//! (`batch`).

pub mod batch;
pub mod debounce;
pub mod matcher;
pub mod plan;

pub use plan::{plan, Plan, Rule, NOT_CONFIGURED};
