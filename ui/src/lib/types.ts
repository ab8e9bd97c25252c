// The shapes the commands return, generated from the Rust types by ts-rs (`cargo test -p
// klaxon-core` rewrites ./types/); never written by hand.
export type { Status } from "./types/Status";
export type { MonitorView } from "./types/MonitorView";
export type { IncidentView } from "./types/IncidentView";
export type { PausedUntil } from "./types/PausedUntil";
export type { SoundStatus } from "./types/SoundStatus";
