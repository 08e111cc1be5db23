//! Swarm mode's manager on the local engine: the reconciler that turns services into
//! tasks ([`plan`]), the containers tasks become ([`task_container`]), and the process
//! that runs it all, carrying out its container actions through the engine interface
//! ([`manager`]).

pub mod manager;
pub mod plan;
pub mod task_container;
