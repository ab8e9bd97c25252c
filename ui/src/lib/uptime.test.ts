import { describe, expect, it } from "vitest";
import {
  certificateText, certificateTone, latencySummary, latencyTimes, monthLabel, tickLabel, percentText, trendBars, uptimeLine,
} from "./uptime";
import type { LatencySeries, MonthNumbers, Uptime } from "./types";

const day = (over: Partial<Uptime> = {}): Uptime => ({
  period: "24h", percent: 100, watched_s: 86_400, down_s: 0, unwatched_s: 0, since: null, ...over,
});

const now = new Date("2026-12-01T12:00:00Z");

describe("uptime in words", () => {
  it("never rounds a little downtime up to a hundred percent", () => {
    expect(percentText(day())).toBe("100 %");
    expect(percentText(day({ percent: 99.99999, down_s: 1 }))).toBe("99.99 %");
    expect(percentText(day({ percent: 99.9537, down_s: 40 }))).toBe("99.95 %");
  });

  it("says nothing was watched instead of a hundred percent", () => {
    expect(percentText(day({ percent: null, watched_s: 0 }))).toBe("nothing watched");
  });

  it("says how much unwatched time was left out", () => {
    expect(uptimeLine(day({ percent: 99.95, down_s: 40, unwatched_s: 7_200 }), now)).toBe(
      "99.95 % · 40 s down · 2 h unwatched not counted",
    );
    // Less than a minute unwatched is not worth a word.
    expect(uptimeLine(day({ unwatched_s: 30 }), now)).toBe("100 %");
  });

  it("says since when a monitor added inside the period is watched", () => {
    expect(uptimeLine(day({ since: "2026-12-01T09:30:00Z", watched_s: 9_000 }), now)).toMatch(
      /^100 % · watched since \d\d:30$/,
    );
  });
});

describe("the certificate", () => {
  it("counts the days left and warns under two weeks", () => {
    const cert = (days: number) => ({
      not_after: new Date(now.getTime() + days * 86_400_000).toISOString(), seen_at: now.toISOString(),
    });
    expect(certificateText(cert(45), now)).toMatch(/^certificate expires in 45 d \(15 Jan/);
    expect(certificateTone(cert(45), now)).toBe("ok");
    expect(certificateTone(cert(10), now)).toBe("warning");
    expect(certificateText(cert(-3), now)).toMatch(/^certificate expired 3 d ago/);
    expect(certificateTone(cert(-3), now)).toBe("error");
  });
});

describe("the response-time chart", () => {
  const series: LatencySeries = {
    monitor: "api", period: "7d", from: "2026-11-24T13:00:00Z", step_s: 3600,
    avg_ms: [null, 40, 60], max_ms: [null, 45, 300],
  };

  it("puts one point per step from the start, gaps left as gaps", () => {
    const start = Date.parse("2026-11-24T13:00:00Z") / 1000;
    expect(latencyTimes(series)).toEqual([start, start + 3600, start + 7200]);
  });

  it("writes its axis times as the rest of the window does", () => {
    const t = new Date(2026, 10, 29, 14, 5).getTime() / 1000;
    expect(tickLabel(t, "24h")).toBe("14:05");
    expect(tickLabel(t, "7d")).toBe("29 Nov");
  });

  it("reads out as the typical and the worst response time", () => {
    expect(latencySummary(series)).toBe("response time over 7 d: typically 50 ms, at worst 300 ms");
    expect(latencySummary({ ...series, avg_ms: [null], max_ms: [null] })).toBe("no response times in the last 7 d");
  });
});

describe("the months", () => {
  const month = (m: string, incidents: number): MonthNumbers => ({
    month: m, incidents, downtime_s: incidents * 600, median_ack_s: null, median_recover_s: null,
  });

  it("names the month as the user reads it", () => {
    expect(monthLabel("2026-12-01")).toBe("December 2026");
    expect(monthLabel("2026-07-01", true)).toBe("Jul");
  });

  it("scales the trend to the busiest month and marks this one", () => {
    const bars = trendBars([month("2026-10-01", 4), month("2026-11-01", 0), month("2026-12-01", 2)], 36);
    expect(bars.map((b) => b.height)).toEqual([36, 1, 18]);
    expect(bars.map((b) => b.current)).toEqual([false, false, true]);
    expect(bars[0].title).toBe("October 2026: 4 incidents, downtime 40 min");
  });
});
