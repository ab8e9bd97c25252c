import { describe, expect, it } from "vitest";
import { localTime } from "./format";
import {
  acknowledgedText, certExpiry, deliveries, evidenceLines, hasEvidence, incidentDuration, stateLabel, timelineLabel, viaLabel,
} from "./incidents";
import type { IncidentView } from "./types";

const incident = (over: Partial<IncidentView>): IncidentView => ({
  id: 1, monitor: "api", source: null, state: "resolved", opened_at: "2026-11-30T02:07:00Z", acknowledged_at: null,
  resolved_at: null, first_failure_at: "2026-11-30T02:06:00Z", recovered_at: null, acknowledged_via: null,
  snoozed_until: null, time_to_acknowledge_s: null, time_to_recover_s: null, reason: "connection refused",
  ...over,
});

describe("the incident timeline", () => {
  it("names each step of an incident in plain words", () => {
    expect(timelineLabel("first_failure")).toBe("First failed check");
    expect(timelineLabel("alarm_started")).toBe("Alarm started");
    expect(timelineLabel("snooze_ended")).toBe("Snooze ended");
    expect(timelineLabel("down_again")).toBe("Down again");
  });

  // A kind the window does not know is now a compile error (Record<TimelineKind, …>), so
  // there is no test of an unknown one; these two are the kinds added with the union.
  it("names a restarted alarm and a removed monitor", () => {
    expect(timelineLabel("alarm_restarted")).toBe("Alarm rang again after a restart");
    expect(timelineLabel("monitor_removed")).toBe("Monitor removed from the config");
  });

  it("capitalizes the incident's state and shows a dash when nobody acknowledged", () => {
    expect(stateLabel("ringing")).toBe("Ringing");
    expect(viaLabel(null)).toBe("—");
    expect(viaLabel("window")).toBe("window");
  });
});

describe("incident durations", () => {
  const now = new Date("2026-11-30T03:06:00Z");

  it("counts an open incident from the first failed check up to now", () => {
    expect(incidentDuration(incident({ state: "ringing" }), now)).toBe("1 h");
  });

  it("counts a resolved incident up to when it was resolved", () => {
    expect(incidentDuration(incident({ resolved_at: "2026-11-30T02:18:30Z" }), now)).toBe("12 min");
  });
});

describe("the evidence", () => {
  const now = new Date("2026-11-30T00:00:00Z");

  it("lists the HTTP status, the address connected to and the DNS records", () => {
    const lines = evidenceLines({ status: 503, remote: "10.0.0.5:443", records: ["1.2.3.4", "5.6.7.8"] }, now);
    expect(lines).toEqual([
      { label: "HTTP status", text: "503" },
      { label: "Remote address", text: "10.0.0.5:443" },
      { label: "DNS records", text: "1.2.3.4, 5.6.7.8" },
    ]);
  });

  it("says when a certificate expires and how far away that is", () => {
    expect(certExpiry("2026-12-10T00:00:00Z", now)).toMatch(/\(in 10 d\)$/);
    expect(certExpiry("2026-11-28T00:00:00Z", now)).toMatch(/\(expired 2 d ago\)$/);
  });

  it("knows when the check kept no evidence at all", () => {
    expect(hasEvidence({})).toBe(false);
    expect(hasEvidence({ body_excerpt: "Bad Gateway" })).toBe(true);
    expect(hasEvidence({ labels: [] })).toBe(false);
    expect(hasEvidence({ labels: [["severity", "page"]] })).toBe(true);
  });
});

describe("where an acknowledgement came from", () => {
  const now = new Date("2026-11-30T09:00:00Z");
  it("names the place in words, with the time", () => {
    const at = "2026-11-30T02:14:00Z";
    const t = localTime(at, now);
    expect(acknowledgedText(incident({ acknowledged_via: "phone", acknowledged_at: at }), now)).toBe(`from the phone at ${t}`);
    expect(acknowledgedText(incident({ acknowledged_via: "cli", acknowledged_at: at }), now)).toBe(`with the klaxon command at ${t}`);
    expect(acknowledgedText(incident({ acknowledged_via: "tray", acknowledged_at: at }), now)).toBe(`from the tray menu at ${t}`);
    expect(acknowledgedText(incident({}), now)).toBe("not acknowledged");
  });

  it("keeps only the deliveries of the timeline", () => {
    const timeline = [
      { at: "2026-11-30T02:07:00Z", kind: "alarm_started" as const, detail: "" },
      { at: "2026-11-30T02:09:00Z", kind: "notified" as const, detail: "phone (ntfy) notified" },
      { at: "2026-11-30T02:11:00Z", kind: "delivery_failed" as const, detail: "team (slack): HTTP 500; trying again" },
    ];
    expect(deliveries(timeline)).toEqual([
      { at: "2026-11-30T02:09:00Z", ok: true, text: "phone (ntfy) notified" },
      { at: "2026-11-30T02:11:00Z", ok: false, text: "team (slack): HTTP 500; trying again" },
    ]);
  });
});
