// How incidents read in the Incidents view: timeline labels, states, and what the evidence says.
import { duration, localTime, secondsBetween } from "./format";
import type { Evidence, IncidentView } from "./types";

const KINDS: Record<string, string> = {
  first_failure: "First failed check",
  confirmed: "Confirmed down",
  alarm_started: "Alarm started",
  acknowledged: "Acknowledged",
  snoozed: "Snoozed",
  snooze_ended: "Snooze ended",
  recovered: "Recovered",
  down_again: "Down again",
  resolved: "Resolved",
};

/** A timeline event's kind as a person would say it; an unknown kind still reads as words. */
export function timelineLabel(kind: string): string {
  const known = KINDS[kind];
  if (known) return known;
  const words = kind.replace(/_/g, " ").trim();
  return words ? words[0].toUpperCase() + words.slice(1) : "Event";
}

const STATES: Record<string, string> = {
  ringing: "Ringing",
  acknowledged: "Acknowledged",
  snoozed: "Snoozed",
  resolved: "Resolved",
};

/** An incident's state with a capital: "Ringing", "Resolved". */
export function stateLabel(state: string): string {
  return STATES[state] ?? state;
}

/** How long it has been down: until resolved, or until now while open. */
export function incidentDuration(i: IncidentView, now: Date): string {
  return duration(secondsBetween(i.first_failure_at, i.resolved_at, now));
}

/** Who acknowledged it, from where: "window", "cli"; "—" when nobody did. */
export function viaLabel(via: string | null): string {
  return via ?? "—";
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
  const rel = s >= 0 ? `in ${duration(s)}` : `expired ${duration(-s)} ago`;
  return `${localTime(iso, now)} (${rel})`;
}

/** Whether the evidence holds anything at all. */
export function hasEvidence(e: Evidence): boolean {
  return e.status !== undefined || !!e.remote || !!e.records || !!e.cert_expires || !!e.body_excerpt;
}
