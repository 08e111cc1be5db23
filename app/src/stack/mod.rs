//! Stacks: compose files deployed as swarm services, as `docker stack deploy` does it
//! on the client, so the same code drives Berth's swarm mode and a real Swarm through
//! the engine interface.

pub mod convert;
#[cfg(test)]
mod convert_tests;
