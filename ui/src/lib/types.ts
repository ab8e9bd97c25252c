// The shapes the commands return, generated from the Rust types by ts-rs (`cargo test -p
// klaxon-core` rewrites ./types/); never written by hand.
export type { Status } from "./types/Status";
export type { MonitorView } from "./types/MonitorView";
export type { IncidentView } from "./types/IncidentView";
export type { PausedUntil } from "./types/PausedUntil";
export type { SoundStatus } from "./types/SoundStatus";
export type { DayBar } from "./types/DayBar";
export type { Slot } from "./types/Slot";
export type { IncidentDetail } from "./types/IncidentDetail";
export type { TimelineEvent } from "./types/TimelineEvent";
export type { Evidence } from "./types/Evidence";
export type { MonitorForm } from "./types/MonitorForm";
export type { FieldProblem } from "./types/FieldProblem";
export type { AlarmForm } from "./types/AlarmForm";
export type { SecretView } from "./types/SecretView";
export type { Settings } from "./types/Settings";
export type { CheckOutcome } from "./types/CheckOutcome";
export type { IncidentNotes } from "./types/IncidentNotes";
export type { SavedDraft } from "./types/SavedDraft";
export type { DraftRequest } from "./types/DraftRequest";
export type { Draft } from "./types/Draft";
// The vocabulary: every state that crosses from Rust is one of these unions, never a string.
export type { Overall } from "./types/Overall";
export type { MonitorState } from "./types/MonitorState";
export type { IncidentState } from "./types/IncidentState";
export type { TimelineKind } from "./types/TimelineKind";
export type { AckVia } from "./types/AckVia";
export type { UnwatchedCause } from "./types/UnwatchedCause";
export type { MonitorKind } from "./types/MonitorKind";
export type { DraftKind } from "./types/DraftKind";
export type { DraftTone } from "./types/DraftTone";
export type { ChannelKind } from "./types/ChannelKind";
export type { ChannelSummary } from "./types/ChannelSummary";
export type { DeliveryState } from "./types/DeliveryState";
export type { Coverage } from "./types/Coverage";
export type { Gap } from "./types/Gap";
