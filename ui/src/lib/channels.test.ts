import { describe, expect, it } from "vitest";
import { channelLast } from "./channels";
import type { ChannelSummary } from "./types";

const channel = (over: Partial<ChannelSummary>): ChannelSummary => ({
  name: "phone", kind: "ntfy", last_state: null, last_error: null, last_at: null, last_step: null, ...over,
});

describe("a channel's newest delivery", () => {
  it("reads as never used, delivered, retried or failed with the service's words", () => {
    const now = new Date("2026-11-30T14:10:00");
    expect(channelLast(channel({}), now)).toBe("never used");
    expect(channelLast(channel({ last_state: "delivered", last_at: new Date("2026-11-30T14:05:00").toISOString() }), now)).toBe(
      "delivered 14:05",
    );
    expect(channelLast(channel({ last_state: "pending", last_error: "HTTP 503" }), now)).toBe("being retried: HTTP 503");
    expect(channelLast(channel({ last_state: "failed", last_error: "HTTP 401 — check the token" }), now)).toBe(
      "failed: HTTP 401 — check the token",
    );
  });
});
