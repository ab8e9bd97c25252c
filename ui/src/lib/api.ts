// The window's only way to the engine: the app's own commands and its `status` event.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type {
  AlarmForm,
  ChannelForm,
  ChannelSettings,
  ChannelSummary,
  CheckOutcome,
  DayBar,
  Draft,
  DraftRequest,
  EscalationForm,
  FieldProblem,
  GuideEnd,
  IncidentDetail,
  IncidentNotes,
  IncidentView,
  LatencySeries,
  MonitorUptime,
  MonthReport,
  MonitorForm,
  Period,
  SavedDraft,
  Settings,
  Status,
} from "./types";
import type { ImportReport } from "./types/ImportReport";
import type { MaintenanceEntry } from "./types/MaintenanceEntry";
import type { MaintenanceForm } from "./types/MaintenanceForm";
import type { ImportSource } from "./types/ImportSource";

/** What a failed command rejects with (see src-tauri/src/error.rs). */
export interface CommandError {
  code: string;
  message: string;
}

export function errorText(e: unknown): string {
  if (typeof e === "object" && e !== null && "message" in e) return String((e as CommandError).message);
  return String(e);
}

// Now
export const status = () => invoke<Status>("status");
export const dayBars = () => invoke<DayBar[]>("day_bars");
/** Each monitor's uptime over 24 h, 7 d and 30 d, and its certificate. */
export const uptime = () => invoke<MonitorUptime[]>("uptime");
/** One monitor's response times over a period. */
export const latency = (monitor: string, period: Period) => invoke<LatencySeries>("latency", { monitor, period });
export const acknowledge = (code: string | null) => invoke<string>("acknowledge", { code });
export const snooze = (minutes: number) => invoke<string>("snooze", { minutes });
export const pause = (minutes: number | null) => invoke<string>("pause", { minutes });
export const resume = () => invoke<string>("resume");
export const testAlarm = () => invoke<string>("test_alarm");
/** Reads a `[[source]]` now rather than at its next turn. */
export const checkSource = (name: string) => invoke<string>("check_source", { name });
/** Publishes an urgent page to the `[page]` topic; answers its id. An empty `from` is this machine's user. */
export const page = (from: string, text: string) => invoke<string>("page", { from, text });
/** Waits at most `seconds` (ten minutes at most) for the founder's Klaxon to answer: its words, or null. */
export const pageAnswer = (id: string, seconds: number) => invoke<string | null>("page_answer", { id, seconds });
export const onStatus = (f: (s: Status) => void): Promise<UnlistenFn> => listen<Status>("status", (e) => f(e.payload));
/** The engine stopped answering (the tray app was killed or quit): why, in its words. The next
 * `status` event means it is back. */
export const onEngineLost = (f: (reason: string) => void): Promise<UnlistenFn> =>
  listen<string>("engine-lost", (e) => f(e.payload));

// Incidents
export const history = () => invoke<IncidentView[]>("history");
export const incident = (id: number) => invoke<IncidentDetail>("incident", { id });
/** This month's numbers and the five before it, oldest first. */
export const months = () => invoke<MonthReport>("months");

// Settings. Saving writes klaxon.toml (keeping its comments) and the engine picks it up at once.
export const settings = () => invoke<Settings>("settings");
/** Problems with the form as typed; empty when it would save. */
export const validateMonitor = (form: MonitorForm) => invoke<FieldProblem[]>("validate_monitor", { form });
/** Probes the monitor once as the form describes it, without saving. */
export const checkMonitor = (form: MonitorForm) => invoke<CheckOutcome>("check_monitor", { form });
export const saveMonitor = (form: MonitorForm) => invoke<string>("save_monitor", { form });
export const deleteMonitor = (name: string) => invoke<string>("delete_monitor", { name });
export const saveAlarm = (form: AlarmForm) => invoke<string>("save_alarm", { form });
/** `host:port` targets; an empty list turns the offline check off. */
export const saveWitnesses = (witnesses: string[]) => invoke<string>("save_witnesses", { witnesses });
/** Stores a secret in the OS keyring; the window never sees it again. */
export const setSecret = (name: string, value: string) => invoke<string>("set_secret", { name, value });
export const deleteSecret = (name: string) => invoke<string>("delete_secret", { name });
/** The `[[maintenance]]` windows with their next start; `position` (1-based) null adds one. */
export const maintenance = () => invoke<MaintenanceEntry[]>("maintenance");
export const saveMaintenance = (position: number | null, form: MaintenanceForm) =>
  invoke<string>("save_maintenance", { position, form });
export const deleteMaintenance = (position: number) => invoke<string>("delete_maintenance", { position });
export const setLaunchAtLogin = (enabled: boolean) => invoke<boolean>("set_launch_at_login", { enabled });
/** Adds the monitors of another tool's file (its text, read in the window; `fileName` only names
 * it in messages) to klaxon.toml; `dryRun` writes nothing and says what would be added. */
export const importMonitors = (tool: ImportSource, fileName: string, text: string, dryRun: boolean) =>
  invoke<ImportReport>("import_monitors", { tool, fileName, text, dryRun });

// After the outage: notes, drafts, and getting a draft out of Klaxon.
export const notes = (id: number) => invoke<IncidentNotes>("notes", { id });
/** Replaces the incident's notes; answers them as stored. */
export const saveNotes = (id: number, notes: IncidentNotes) => invoke<IncidentNotes>("save_notes", { id, notes });
/** Writes a draft from the incident's facts and notes (nothing is stored). */
export const draft = (id: number, request: DraftRequest) => invoke<Draft>("draft", { id, request });
/** Keeps this version (as edited) with the incident. */
export const saveDraft = (id: number, request: DraftRequest, subject: string, body: string) =>
  invoke<SavedDraft>("save_draft", { id, request, subject, body });
/** The incident's kept versions, newest first. */
export const drafts = (id: number) => invoke<SavedDraft[]>("drafts", { id });
/** Puts text on the system clipboard. */
export const copyText = (text: string) => invoke<string>("copy_text", { text });
/** Opens the mail app with a new message (mailto:) holding this subject and body. */
export const openMail = (subject: string, body: string) => invoke<string>("open_mail", { subject, body });

// Channels
export const channels = () => invoke<ChannelSummary[]>("channels");
export const testChannel = (name: string) => invoke<string>("test_channel", { name });
/** The channels and the escalation ladder as klaxon.toml has them. */
export const channelSettings = () => invoke<ChannelSettings>("channel_settings");
/** Problems with the channel as typed; empty when it would save. `previous`: its name when the editor opened. */
export const validateChannel = (previous: string | null, form: ChannelForm) =>
  invoke<FieldProblem[]>("validate_channel", { previous, form });
export const saveChannel = (previous: string | null, form: ChannelForm) => invoke<string>("save_channel", { previous, form });
/** Refused while a step of the ladder notifies the channel. */
export const deleteChannel = (name: string) => invoke<string>("delete_channel", { name });
/** No steps removes the ladder: the siren alone. */
export const saveEscalation = (form: EscalationForm) => invoke<string>("save_escalation", { form });
/** Problems with the ladder as typed, by field (`steps[2].after`); empty when it would save. */
export const validateEscalation = (form: EscalationForm) => invoke<FieldProblem[]>("validate_escalation", { form });

// The guided first run. Its steps use the commands above; these are only the guide's.
/** Whether the window opens at the guide: nothing watched, and the guide never finished or skipped. */
export const firstRunDue = () => invoke<boolean>("first_run_due");
/** Remembers that the guide was finished or skipped, so it does not open by itself again. */
export const firstRunEnd = (end: GuideEnd) => invoke<null>("first_run_end", { end });
/** A monitor form from one typed line: its name and kind guessed. */
export const guessMonitor = (typed: string) => invoke<MonitorForm>("guess_monitor", { typed });
/** Puts the channel on the escalation ladder ("after 3 minutes, notify phone") unless a step names it. */
export const putPhoneOnLadder = (channel: string) => invoke<string>("put_phone_on_ladder", { channel });
