//! Klaxon's engine: everything that decides "is it down?" and remembers what happened, with no
//! window. The tray app and the `klaxon` CLI are thin shells over this crate.

pub mod config;
pub mod draft;
pub mod error;
pub mod monitor;
pub mod notes;
pub mod probe;

pub use error::{Error, Result};
pub mod adhoc;
pub mod awake;
pub mod bounds;
pub mod clock;
pub mod control;
pub mod data_dir;
pub mod desktop;
pub mod engine;
pub mod fault_injection;
pub mod history;
pub mod incident;
pub mod judge;
pub mod local_fault;
pub mod logging;
pub mod open_files;
pub mod paths;
pub mod schedule;
pub mod secrets;
pub mod siren;
pub mod status;
pub mod store;
pub mod text;
pub mod witness;
