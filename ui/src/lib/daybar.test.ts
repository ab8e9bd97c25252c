import { describe, expect, it } from "vitest";
import { barFor, barsKey, daySummary, minutes, slotClass, slotTitle } from "./daybar";
import type { MonitorView, Slot, Status } from "./types";

const fill = (n: number, slot: Slot): Slot[] => Array.from({ length: n }, () => slot);

describe("the 24-hour bar", () => {
  it("reads a day with one bad quarter hour as hours up and minutes down", () => {
    expect(daySummary([...fill(95, "up"), "down"])).toBe("last 24 h: 23 h 45 min up, 15 min down");
  });

  it("names offline, unmonitored and empty stretches in plain words", () => {
    const slots = [...fill(48, "none"), ...fill(4, "unmonitored"), ...fill(2, "offline"), ...fill(42, "up")];
    expect(daySummary(slots)).toBe("last 24 h: 10 h 30 min up, 30 min offline, 1 h not monitored, 12 h no data");
  });

  it("says a whole day up in whole hours", () => {
    expect(daySummary(fill(96, "up"))).toBe("last 24 h: 24 h up");
  });

  it("says there is no data when the bar is empty", () => {
    expect(daySummary([])).toBe("last 0 min: no data");
  });

  it("colors each slot by what it saw", () => {
    expect(slotClass("down")).toBe("slot slot-down");
    expect(slotClass("unmonitored")).toBe("slot slot-unmonitored");
  });

  it("tells how long ago a hovered slot was, the newest being the last quarter hour", () => {
    expect(slotTitle("up", 95, 96)).toBe("last 15 min: up");
    expect(slotTitle("down", 87, 96)).toBe("about 2 h ago: down");
    expect(slotTitle("none", 0, 96)).toBe("about 23 h 45 min ago: no data");
  });

  it("finds a monitor's bar by name and none for a monitor just added", () => {
    const bars = [{ monitor: "api", slots: fill(96, "up") }];
    expect(barFor(bars, "api")).toHaveLength(96);
    expect(barFor(bars, "db")).toBeUndefined();
  });

  it("writes minutes as hours and minutes", () => {
    expect(minutes(0)).toBe("0 min");
    expect(minutes(60)).toBe("1 h");
    expect(minutes(1425)).toBe("23 h 45 min");
  });

  it("reads the bars again when a monitor changes state, not when only its latency does", () => {
    const monitor: MonitorView = { name: "api", state: "up", last_checked: null, latency_ms: 12, reason: null, target: "" };
    const status: Status = { overall: "all_up", monitors: [monitor], incidents: [], blind: false, live: true, faults: [] };
    const slower = { ...status, monitors: [{ ...monitor, latency_ms: 340 }] };
    const down: Status = { ...status, overall: "failing", monitors: [{ ...monitor, state: "down" }] };
    expect(barsKey(slower)).toBe(barsKey(status));
    expect(barsKey(down)).not.toBe(barsKey(status));
    expect(barsKey({ ...status, overall: "offline", blind: true })).not.toBe(barsKey(status));
  });
});
