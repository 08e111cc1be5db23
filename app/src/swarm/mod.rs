//! Swarm mode's manager on the local engine: the reconciler that turns services into
//! tasks ([`plan`]), and the process that runs it, carrying out its container actions
//! through the engine interface.

pub mod plan;
