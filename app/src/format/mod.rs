//! Docker-compatible output formatting for the `berth` CLI: Go templates
//! (`--format`), aligned tables, go-units wording for sizes and durations,
//! and Docker's truncation rules for IDs and commands.
//!
//! Everything here is pure (strings in, strings out) so each command's
//! output shape can be tested to the byte against Docker's.

pub mod anatomy;
pub mod build_steps;
pub mod contexts;
pub mod duration;
pub mod error;
pub mod gofmt;
pub mod gotypes;
pub mod human;
pub mod since;
pub mod size;
pub mod swarm;
pub mod table;
pub mod tabwriter;
pub mod template;
pub mod transfer;
pub mod truncate;
