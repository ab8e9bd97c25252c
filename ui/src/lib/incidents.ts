// How incidents read in the Incidents view: timeline labels, states, and what the evidence says.
import { elapsed, localTime, secondsBetween } from "./format";
import type { AckVia, Evidence, IncidentState, IncidentView, TimelineEvent, TimelineKind } from "./types";

// Each a Record over the generated union, so a state or kind added in Rust is a compile error
// here until it has its words.
const KINDS: Record<TimelineKind, string> = {
  first_failure: "First failed check",
  confirmed: "Confirmed down",
  alarm_started: "Alarm started",
  alarm_restarted: "Alarm rang again after a restart",
  acknowledged: "Acknowledged",
  snoozed: "Snoozed",
  snooze_ended: "Snooze ended",
  recovered: "Recovered",
  down_again: "Down again",
  resolved: "Resolved",
  monitor_removed: "Monitor removed from the config",
  ack_expired: "Still down after the acknowledgement: rang again",
  notified: "Notified",
  delivery_failed: "Notification failed",
  source_silenced: "Silenced at its source",
};

/** A timeline event's kind as a person would say it. */
export function timelineLabel(kind: TimelineKind): string {
  return KINDS[kind];
}

const STATES: Record<IncidentState, string> = {
  ringing: "Ringing",
  acknowledged: "Acknowledged",
  snoozed: "Snoozed",
  resolved: "Resolved",
};

/** An incident's state with a capital: "Ringing", "Resolved". */
export function stateLabel(state: IncidentState): string {
  return STATES[state];
}

/** How long it has been down: until resolved, or until now while open. */
export function incidentDuration(i: IncidentView, now: Date): string {
  return elapsed(secondsBetween(i.first_failure_at, i.resolved_at, now));
}

// The words the engine keeps, shown as they are (as before the states were typed).
const VIA: Record<AckVia, string> = {
  cli: "cli",
  window: "window",
  tray: "tray",
  phone: "phone",
  source: "source",
};

/** Who acknowledged it, from where: "window", "cli"; "—" when nobody did. */
export function viaLabel(via: AckVia | null): string {
  return via === null ? "—" : VIA[via];
}

// Where an acknowledgement came from, as the incident view says it.
const ACK_FROM: Record<AckVia, string> = {
  cli: "with the klaxon command",
  window: "in Klaxon's window",
  tray: "from the tray menu",
  phone: "from the phone",
  source: "by the monitoring it came from",
};

/** "from the phone at 02:14"; "not acknowledged" when nobody did. */
export function acknowledgedText(i: IncidentView, now: Date): string {
  if (i.acknowledged_via === null && i.acknowledged_at === null) return "not acknowledged";
  const from = i.acknowledged_via === null ? "acknowledged" : ACK_FROM[i.acknowledged_via];
  return i.acknowledged_at ? `${from} at ${localTime(i.acknowledged_at, now)}` : from;
}

/** The timeline's deliveries to channels, each delivered or failed, in order. */
export function deliveries(timeline: TimelineEvent[]): Array<{ at: string; ok: boolean; text: string }> {
  return timeline
    .filter((e) => e.kind === "notified" || e.kind === "delivery_failed")
    .map((e) => ({ at: e.at, ok: e.kind === "notified", text: e.detail }));
}

/** One line of evidence: a label and its text. */
export interface EvidenceLine {
  label: string;
  text: string;
}

/** What the failing check saw, as label/text pairs (the body excerpt is shown apart, in a <pre>). */
export function evidenceLines(e: Evidence, now: Date): EvidenceLine[] {
  const lines: EvidenceLine[] = [];
  if (e.status !== undefined) lines.push({ label: "HTTP status", text: String(e.status) });
  if (e.remote) lines.push({ label: "Remote address", text: e.remote });
  if (e.records) lines.push({ label: "DNS records", text: e.records.length ? e.records.join(", ") : "none" });
  if (e.cert_expires) lines.push({ label: "Certificate expires", text: certExpiry(e.cert_expires, now) });
  return lines;
}

/** "3 Jan 2027 12:00 (in 34 d)" or "… (expired 2 d ago)". */
export function certExpiry(iso: string, now: Date): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const s = (t - now.getTime()) / 1000;
  const rel = s >= 0 ? `in ${elapsed(s)}` : `expired ${elapsed(-s)} ago`;
  return `${localTime(iso, now)} (${rel})`;
}

/** Whether the evidence holds anything at all. */
export function hasEvidence(e: Evidence): boolean {
  return (
    e.status !== undefined || !!e.remote || !!e.records || !!e.cert_expires || !!e.body_excerpt || !!e.labels?.length
  );
}
