import { describe, expect, it } from "vitest";
import { duration, elapsed, localTime, localTimeWithSeconds, maybeDuration, secondsBetween } from "./format";
// The cases Rust's duration-in-words is tested against too: the window must read the same.
import sharedCases from "../../../crates/klaxon-core/src/domain/words_cases.json";

describe("durations", () => {
  it("reads every shared case exactly as the Rust side does", () => {
    expect(sharedCases.length).toBeGreaterThanOrEqual(10);
    for (const { ms, short } of sharedCases) {
      expect(`${ms} ms → ${duration(ms / 1000)}`).toBe(`${ms} ms → ${short}`);
    }
  });

  it("shows a tenth below ten seconds, counted down, never rounded up", () => {
    expect(duration(9.999999)).toBe("9.9 s");
    expect(duration(4.1)).toBe("4.1 s");
    expect(duration(59.99)).toBe("59 s");
    expect(duration(0.0009)).toBe("less than 1 ms");
  });

  it("reads seconds, minutes, hours and days the way a person says them", () => {
    expect(duration(45)).toBe("45 s");
    expect(duration(4 * 60 + 59)).toBe("4 min");
    expect(duration(3 * 3600)).toBe("3 h");
    expect(duration(3 * 3600 + 5 * 60)).toBe("3 h 5 min");
    expect(duration(2 * 86400 + 3 * 3600 + 59)).toBe("2 d 3 h");
    expect(duration(86400)).toBe("1 d");
  });

  // Was "0 s"; the shared cases read zero as "less than 1 ms", and they win.
  it("never shows a negative duration when clocks disagree", () => {
    expect(duration(-5)).toBe("less than 1 ms");
  });

  it("shows a dash for a time to acknowledge that has not happened", () => {
    expect(maybeDuration(null)).toBe("—");
    expect(maybeDuration(120)).toBe("2 min");
  });

  it("measures an open incident up to now and a resolved one up to its end", () => {
    const now = new Date("2026-11-30T05:12:00Z");
    expect(duration(secondsBetween("2026-11-30T05:00:00Z", null, now))).toBe("12 min");
    expect(duration(secondsBetween("2026-11-30T05:00:00Z", "2026-11-30T05:03:00Z", now))).toBe("3 min");
  });
});

describe("time since something", () => {
  it("counts whole seconds once past one, as Rust's words::elapsed does", () => {
    expect(elapsed(4.5)).toBe("4 s");
    expect(elapsed(0.5)).toBe("500 ms");
    expect(elapsed(250.9)).toBe("4 min");
  });
});

describe("local times", () => {
  // Built with local-time constructors so the test reads the same in every time zone.
  const now = new Date(2026, 10, 30, 14, 30);

  it("shows only the clock for a time today", () => {
    expect(localTime(new Date(2026, 10, 30, 9, 5).toISOString(), now)).toBe("09:05");
  });

  it("shows the day and month for an earlier day this year", () => {
    expect(localTime(new Date(2026, 10, 29, 23, 50).toISOString(), now)).toBe("29 Nov 23:50");
  });

  it("shows the year for a time in another year", () => {
    expect(localTime(new Date(2025, 0, 2, 8, 0).toISOString(), now)).toBe("2 Jan 2025 08:00");
  });

  it("adds the seconds on a timeline", () => {
    expect(localTimeWithSeconds(new Date(2026, 10, 30, 9, 5, 7).toISOString(), now)).toBe("09:05:07");
  });

  it("shows a time it cannot read exactly as it came", () => {
    expect(localTime("soon", now)).toBe("soon");
  });
});
