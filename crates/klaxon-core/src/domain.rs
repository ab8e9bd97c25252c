//! Klaxon's vocabulary as small value types, with no I/O: what a monitor checks and what one
//! check saw ([`monitor`]), whether a run of checks means "down" ([`judge`]), incidents and the
//! book that changes them ([`incident`]), and the snapshot the outside sees ([`status`]).

pub mod delivery;
pub mod incident;
pub mod judge;
pub mod local_fault;
pub mod maintenance;
pub mod monitor;
pub mod notes;
pub mod states;
pub mod status;
pub mod words;
