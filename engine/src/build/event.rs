//! What a build reports while it runs. The engine only describes; front ends draw it
//! (BuildKit-like lines on a terminal, `--progress plain`, or Docker's classic JSON
//! stream on the API).

use serde::{Deserialize, Serialize};

/// One step of one stage, numbered across the whole build in the order steps start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum BuildEvent {
    /// How many instructions the build will go through (Docker's classic `Step i/N`).
    Plan { instructions: usize },
    /// A step starts. `label` is BuildKit's `[stage k/n]`, `text` the instruction as
    /// written (continuations joined).
    Step {
        n: usize,
        label: String,
        index: usize,
        total: usize,
        /// True for the steps BuildKit shows (FROM, RUN, COPY, ADD, WORKDIR).
        fs: bool,
        text: String,
    },
    /// The step's result came from the cache.
    Cached { n: usize },
    /// A RUN step's container (Docker's "Running in ...").
    Container { n: usize, id: String },
    /// Output of a RUN step.
    Output {
        n: usize,
        stderr: bool,
        #[serde(with = "bytes_as_text")]
        data: Vec<u8>,
    },
    /// A note that belongs to no step (a warning such as an unused build arg).
    Warning { message: String },
    /// A step ended; `image` is the image it produced.
    Done {
        n: usize,
        image: String,
        millis: u64,
    },
    /// The build's result.
    Built { id: String, tags: Vec<String> },
}

mod bytes_as_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&String::from_utf8_lossy(b))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        Ok(String::deserialize(d)?.into_bytes())
    }
}
