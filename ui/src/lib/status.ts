// Pure helpers for the window, unit-tested with Vitest.
import { elapsed } from "./format";
import type { IncidentView, Overall, Status } from "./types";

/** The incident to put on top: a ringing one first, else the newest open one. */
export function topIncident(status: Status): IncidentView | undefined {
  return status.incidents.find((i) => i.state === "ringing") ?? status.incidents[0];
}

/** What the header shows for the whole app's state. */
export interface Headline {
  /** A word or two, as the tray's icon says it at a glance. */
  text: string;
  /** Colors the headline (see app.css: .headline.alarm, …). */
  tone: "alarm" | "warning" | "quiet" | "ok";
  /** An incident is open: the Now tab is marked. */
  incidentOpen: boolean;
  /** Something rings: the other tabs call the user back to Now. */
  ringing: boolean;
}

/**
 * The header from `status.overall`, which Rust decides (`Status::overall`, the same state as the
 * tray's icon and `klaxon status`); the window never decides it again from the incidents and
 * monitors. Exhaustive: a state added in Rust is a compile error until it has its words here.
 */
/** The header while the engine does not answer: nothing is being watched. */
export const NOT_RUNNING: Headline = { text: "Not running", tone: "alarm", incidentOpen: false, ringing: false };

export function headline(overall: Overall): Headline {
  const h = (text: string, tone: Headline["tone"], incidentOpen = false, ringing = false): Headline => ({
    text, tone, incidentOpen, ringing,
  });
  switch (overall) {
    case "ringing":
      return h("Ringing", "alarm", true, true);
    case "acknowledged":
      return h("Acknowledged", "warning", true);
    case "offline":
      return h("Offline", "alarm");
    case "paused":
      return h("Paused", "quiet");
    case "failing":
      return h("Failing", "warning");
    case "all_up":
      return h("All up", "ok");
    case "nothing_configured":
      return h("No monitors", "quiet");
    default: {
      const unhandled: never = overall;
      // Unreachable while the window and the engine are built together; if a newer engine
      // ever sends a word this window lacks, show the word rather than break the header.
      return h(String(unhandled), "warning");
    }
  }
}

/** "4 min", "3 h 5 min" since `from`. */
export function since(from: string, now: Date): string {
  return elapsed((now.getTime() - new Date(from).getTime()) / 1000);
}
