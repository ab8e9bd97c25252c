// Pure helpers for the window, unit-tested with Vitest.
import type { Status, IncidentView } from "./types";

/** The incident to put on top: a ringing one first, else the newest open one. */
export function topIncident(status: Status): IncidentView | undefined {
  return status.incidents.find((i) => i.state === "ringing") ?? status.incidents[0];
}

/** "4 min", "3 h 5 min" since `from`. */
export function since(from: string, now: Date): string {
  const s = Math.max(0, Math.floor((now.getTime() - new Date(from).getTime()) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  const m = Math.floor((s % 3600) / 60);
  return m === 0 ? `${Math.floor(s / 3600)} h` : `${Math.floor(s / 3600)} h ${m} min`;
}
