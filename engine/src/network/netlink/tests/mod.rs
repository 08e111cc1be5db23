//! Tests against the real kernel, as root. Each test makes its own network namespaces and
//! works only inside them, so the host's interfaces are never touched; the fixtures
//! delete the namespaces (and with them every interface made) even when a test fails.
//! Without root or `ip` they skip with a note on stderr.

mod fixture;

mod addresses;
mod end_to_end;
mod links;
mod netns;
