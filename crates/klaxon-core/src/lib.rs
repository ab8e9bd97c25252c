//! Klaxon's engine: everything that decides "is it down?" and remembers what happened, with no
//! window. The tray app and the `klaxon` CLI are thin shells over this crate.

pub mod config;
pub mod error;
pub mod monitor;
pub mod probe;

pub use error::{Error, Result};
