//! Store-level tests of the image subsystem: import, load/save round trips, removal and
//! garbage collection, history, and interop with podman. Unit tests of single modules
//! live beside them.

mod archives;
mod interop;
mod lifecycle;
pub mod util;
