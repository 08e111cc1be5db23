//! Compose: reading `docker compose` project files the way compose-go does.
pub mod dotenv;
pub mod interpolate;
