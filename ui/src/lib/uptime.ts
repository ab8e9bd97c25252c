// How uptime, response times, certificates and the month's numbers read in the window:
// "99.95 %", "99.95 % · 2 h unwatched not counted", "certificate expires in 45 d (14 Jan)".
// The numbers come from Rust (aftermath/uptime.rs, aftermath/month.rs); only words are made here.
import { duration, localTime } from "./format";
import type { Certificate, LatencySeries, MonitorUptime, MonthNumbers, Period, Uptime } from "./types";

export const PERIODS: Period[] = ["24h", "7d", "30d"];

/** "24 h", "7 d", "30 d". */
export function periodLabel(p: Period): string {
  return { "24h": "24 h", "7d": "7 d", "30d": "30 d" }[p];
}

/**
 * The percentage as the user reads it: two decimals, cut down, never rounded up, so any
 * downtime at all reads below 100 % ("99.99 %", not "100.00 %"). Nothing watched is not 100 %.
 */
export function percentText(u: Uptime): string {
  if (u.percent === null) return "nothing watched";
  if (u.down_s === 0) return "100 %";
  const cut = Math.min(Math.floor(u.percent * 100) / 100, 99.99);
  return `${cut.toFixed(2)} %`;
}

/** The line under the figures: what the percentage leaves out, and since when it counts. */
export function uptimeLine(u: Uptime, now: Date): string {
  const parts = [percentText(u)];
  if (u.percent !== null && u.down_s > 0) parts.push(`${duration(u.down_s)} down`);
  if (u.unwatched_s >= 60) parts.push(`${duration(u.unwatched_s)} unwatched not counted`);
  if (u.since) parts.push(`watched since ${localTime(u.since, now)}`);
  return parts.join(" · ");
}

/** Whether a figure should catch the eye: any downtime in the period. */
export function uptimeTone(u: Uptime): "ok" | "down" | "none" {
  if (u.percent === null) return "none";
  return u.down_s > 0 ? "down" : "ok";
}

export function uptimeFor(all: MonitorUptime[], monitor: string): MonitorUptime | undefined {
  return all.find((u) => u.monitor === monitor);
}

const DAY = 86_400_000;

/** "certificate expires in 45 d (14 Jan)", "certificate expired 3 d ago". */
export function certificateText(c: Certificate, now: Date): string {
  const left = new Date(c.not_after).getTime() - now.getTime();
  const when = localTime(c.not_after, now);
  if (left <= 0) return `certificate expired ${duration(-left / 1000)} ago (${when})`;
  return `certificate expires in ${duration(left / 1000)} (${when})`;
}

/** Under two weeks left is a warning, expired an error: the same line, louder. */
export function certificateTone(c: Certificate, now: Date): "ok" | "warning" | "error" {
  const left = new Date(c.not_after).getTime() - now.getTime();
  if (left <= 0) return "error";
  return left < 14 * DAY ? "warning" : "ok";
}

/** What the chart shows, in words (its accessible name and the line beside it). */
export function latencySummary(s: LatencySeries): string {
  const known = s.avg_ms.filter((v): v is number => v !== null);
  if (known.length === 0) return `no response times in the last ${periodLabel(s.period)}`;
  const peaks = s.max_ms.filter((v): v is number => v !== null);
  const mean = Math.round(known.reduce((a, b) => a + b, 0) / known.length);
  return `response time over ${periodLabel(s.period)}: typically ${mean} ms, at worst ${Math.max(...peaks)} ms`;
}

/** The chart's x values (Unix seconds, one per point) from the series' start and step. */
export function latencyTimes(s: LatencySeries): number[] {
  const from = new Date(s.from).getTime() / 1000;
  return s.avg_ms.map((_, i) => from + i * s.step_s);
}

/** A time on the chart's axis, as the rest of the window writes times: "14:00", "29 Nov". */
export function tickLabel(unixSeconds: number, period: Period): string {
  const t = new Date(unixSeconds * 1000);
  if (period === "24h") return `${String(t.getHours()).padStart(2, "0")}:${String(t.getMinutes()).padStart(2, "0")}`;
  return `${t.getDate()} ${MONTH_NAMES[t.getMonth()].slice(0, 3)}`;
}

const MONTH_NAMES = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
];

/** "December 2026" from "2026-12-01"; "Dec" with `short`. */
export function monthLabel(month: string, short = false): string {
  const [y, m] = month.split("-").map(Number);
  const name = MONTH_NAMES[(m ?? 1) - 1] ?? month;
  return short ? name.slice(0, 3) : `${name} ${y}`;
}

/** A month's downtime as read: "none", "4 min". */
export function downtimeText(m: MonthNumbers): string {
  return m.downtime_s === 0 ? "none" : duration(m.downtime_s);
}

/** A median that may not exist (nothing acknowledged or recovered): "—". */
export function medianText(seconds: number | null): string {
  return seconds === null ? "—" : duration(seconds);
}

/** One bar of the months' trend: its height out of `full`, and what it says in words. */
export interface TrendBar {
  label: string;
  height: number;
  title: string;
  current: boolean;
}

/** The incidents per month as bars scaled to the busiest month (a month with none is a sliver). */
export function trendBars(months: MonthNumbers[], full: number): TrendBar[] {
  const most = Math.max(1, ...months.map((m) => m.incidents));
  return months.map((m, i) => ({
    label: monthLabel(m.month, true),
    height: m.incidents === 0 ? 1 : Math.max(3, Math.round((m.incidents / most) * full)),
    title: `${monthLabel(m.month)}: ${m.incidents} ${m.incidents === 1 ? "incident" : "incidents"}, downtime ${downtimeText(m)}`,
    current: i === months.length - 1,
  }));
}
