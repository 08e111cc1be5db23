//! TEMPORARY minimal formatting helpers; replaced by the full format module (templates,
//! tables, go-units wording) being written in parallel.
pub mod human;
pub mod table;
pub mod template;
