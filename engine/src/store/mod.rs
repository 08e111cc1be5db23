//! The state root: where every record lives, how it is written (atomically) and locked,
//! and the content-addressed blob store.

pub mod atomic;
pub mod blobs;
pub mod digest;
pub mod ids;
pub mod intent;
pub mod lock;
pub mod names;
pub mod paths;
pub mod root_id;
pub mod scratch;
pub mod sock;

pub use atomic::{read_json, write_atomic, write_json_atomic};
pub use blobs::BlobStore;
pub use digest::Digest;
pub use lock::FileLock;
pub use paths::Paths;
