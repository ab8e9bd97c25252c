import { describe, expect, it } from "vitest";
import { since, topIncident } from "./status";
import type { IncidentView, Status } from "./types";

const incident = (id: number, state: string): IncidentView => ({
  id, monitor: `m${id}`, state, opened_at: "2026-11-30T02:07:00Z", acknowledged_at: null, resolved_at: null,
  first_failure_at: "2026-11-30T02:06:55Z", recovered_at: null, acknowledged_via: null, snoozed_until: null,
  time_to_acknowledge_s: null, time_to_recover_s: null, reason: "connection refused",
});

describe("the window's helpers", () => {
  it("puts a ringing incident on top of acknowledged ones", () => {
    const status = { monitors: [], incidents: [incident(1, "acknowledged"), incident(2, "ringing")] } as unknown as Status;
    expect(topIncident(status)?.id).toBe(2);
  });

  it("says how long ago in minutes and hours", () => {
    const now = new Date("2026-11-30T05:12:00Z");
    expect(since("2026-11-30T05:11:30Z", now)).toBe("30 s");
    expect(since("2026-11-30T05:08:00Z", now)).toBe("4 min");
    expect(since("2026-11-30T02:07:00Z", now)).toBe("3 h 5 min");
  });
});
