//! How the shells talk to an engine. [`wire`] is the control socket's format (commands,
//! replies); [`socket`] carries one command over the socket; [`Client`] is the one typed API
//! that the CLI and the tray app both stand on, over the socket or in-process alike, so
//! neither shell ever matches on a raw reply.

mod client;
mod page;
pub mod socket;
mod wire;

pub use client::{Answer, ChannelSummary, Client, Socket, Transport};
pub use page::Paged;
pub use wire::{Command, Reply, SlipStats};
