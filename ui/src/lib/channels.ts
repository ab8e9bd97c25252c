// How a channel's newest delivery reads in Settings.
import { localTime } from "./format";
import type { ChannelSummary } from "./types";

/** "delivered 14:05", "failed: HTTP 401 — check the token", "never used". */
export function channelLast(c: ChannelSummary, now: Date = new Date()): string {
  switch (c.last_state) {
    case null:
      return "never used";
    case "delivered":
      return c.last_at ? `delivered ${localTime(c.last_at, now)}` : "delivered";
    case "pending":
      return c.last_error ? `being retried: ${c.last_error}` : "being sent";
    case "failed":
      return `failed: ${c.last_error ?? "no reason given"}`;
    default: {
      const unhandled: never = c.last_state;
      return String(unhandled);
    }
  }
}
