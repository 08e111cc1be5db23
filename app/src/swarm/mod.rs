//! Swarm mode's manager on the local engine: the reconciler that turns services into
//! tasks ([`plan`]), the containers tasks become ([`task_container`]), and the process
//! that runs it all, carrying out its container actions through the engine interface
//! ([`manager`]), and the routing mesh it keeps in step with the tasks ([`mesh`]).

pub mod manager;
pub mod mesh;
pub mod plan;
pub mod task_container;
