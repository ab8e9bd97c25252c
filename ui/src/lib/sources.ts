// The words for a `[[source]]` (monitoring that runs elsewhere) as the Now view shows it.
import { since } from "./status";
import type { SourceKind, SourceState, SourceView } from "./types";

/** The service a source reads, as its makers spell it. Exhaustive over Rust's `SourceKind`. */
export function sourceKindLabel(kind: SourceKind): string {
  switch (kind) {
    case "alertmanager":
      return "Alertmanager";
    case "ntfy":
      return "ntfy";
    case "healthchecks":
      return "Healthchecks";
    case "gatus":
      return "Gatus";
    case "uptime_kuma":
      return "Uptime Kuma";
    default: {
      const unhandled: never = kind;
      return String(unhandled);
    }
  }
}

/** Whether it can be read, in words: "unknown" is a source not read yet. */
export function sourceStateLabel(state: SourceState): string {
  switch (state) {
    case "reachable":
      return "reachable";
    case "unreachable":
      return "unreachable";
    case "unknown":
      return "not read yet";
    default: {
      const unhandled: never = state;
      return String(unhandled);
    }
  }
}

/** "no alerts firing", "1 alert firing", "3 alerts firing". */
export function firingText(n: number): string {
  if (n === 0) return "no alerts firing";
  return `${n} ${n === 1 ? "alert" : "alerts"} firing`;
}

/** "read 3 s ago", or "never read" before its first reading. */
export function lastReadText(s: SourceView, now: Date): string {
  return s.last_read ? `read ${since(s.last_read, now)} ago` : "never read";
}
