//! Progress of a compose operation as data: which object changed to what, in the words
//! Docker Compose prints (` Container cct-db-1  Started`). Front ends draw it: the CLI as
//! lines, the TUI in its project view.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Network,
    Volume,
    Container,
    Image,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Network => "Network",
            Kind::Volume => "Volume",
            Kind::Container => "Container",
            Kind::Image => "Image",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// An object's new status: `Creating`, `Created`, `Starting`, `Started`, `Waiting`,
    /// `Healthy`, `Recreate`, `Recreated`, `Running`, `Stopping`, `Stopped`, `Removing`,
    /// `Removed`, `Pulling`, `Pulled`, `Built`, `Exited`.
    Status {
        kind: Kind,
        name: String,
        status: String,
    },
    /// A line of a build's or a pull's own output.
    Output(String),
    /// A warning, as Compose prints it after `WARN[0000]`.
    Warning(String),
}

impl Progress {
    pub fn status(kind: Kind, name: impl Into<String>, status: impl Into<String>) -> Progress {
        Progress::Status {
            kind,
            name: name.into(),
            status: status.into(),
        }
    }
}

/// Where an operation reports its progress.
pub type Sink<'a> = &'a (dyn Fn(Progress) + Send + Sync);
