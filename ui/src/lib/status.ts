// Pure helpers for the window, unit-tested with Vitest.
import { duration } from "./format";
import type { Status, IncidentView } from "./types";

/** The incident to put on top: a ringing one first, else the newest open one. */
export function topIncident(status: Status): IncidentView | undefined {
  return status.incidents.find((i) => i.state === "ringing") ?? status.incidents[0];
}

/** "4 min", "3 h 5 min" since `from`. */
export function since(from: string, now: Date): string {
  return duration((now.getTime() - new Date(from).getTime()) / 1000);
}
