import { describe, expect, it } from "vitest";
import { headline, since, topIncident } from "./status";
import type { IncidentState, IncidentView, Overall, Status } from "./types";

const incident = (id: number, state: IncidentState): IncidentView => ({
  id, monitor: `m${id}`, source: null, state, opened_at: "2026-11-30T02:07:00Z", acknowledged_at: null, resolved_at: null,
  first_failure_at: "2026-11-30T02:06:55Z", recovered_at: null, acknowledged_via: null, snoozed_until: null,
  time_to_acknowledge_s: null, time_to_recover_s: null, reason: "connection refused",
});

describe("the window's helpers", () => {
  it("puts a ringing incident on top of acknowledged ones", () => {
    const status: Status = {
      overall: "ringing", monitors: [], incidents: [incident(1, "acknowledged"), incident(2, "ringing")],
      blind: false, live: true, faults: [],
    };
    expect(topIncident(status)?.id).toBe(2);
  });

  it("says how long ago in minutes and hours", () => {
    const now = new Date("2026-11-30T05:12:00Z");
    expect(since("2026-11-30T05:11:30Z", now)).toBe("30 s");
    expect(since("2026-11-30T05:08:00Z", now)).toBe("4 min");
    expect(since("2026-11-30T02:07:00Z", now)).toBe("3 h 5 min");
  });
});

describe("the header", () => {
  it("says the state Rust decided, in a word or two", () => {
    const words: Record<Overall, string> = {
      ringing: "Ringing",
      acknowledged: "Acknowledged",
      offline: "Offline",
      paused: "Paused",
      failing: "Failing",
      all_up: "All up",
      nothing_configured: "No monitors",
    };
    for (const [overall, text] of Object.entries(words) as [Overall, string][]) {
      expect(headline(overall).text).toBe(text);
    }
  });

  it("marks the Now tab while an incident is open and calls the user back only while one rings", () => {
    expect(headline("ringing")).toMatchObject({ tone: "alarm", incidentOpen: true, ringing: true });
    expect(headline("acknowledged")).toMatchObject({ incidentOpen: true, ringing: false });
    expect(headline("failing")).toMatchObject({ incidentOpen: false, ringing: false });
    expect(headline("all_up")).toMatchObject({ tone: "ok", incidentOpen: false, ringing: false });
  });
});
