// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import App from "../App.svelte";
import { FakeEngine, monitor, status } from "../test/fakeEngine";
import type { MonitorUptime } from "../lib/types";

// jsdom has no canvas: the chart library is replaced by a recorder of what it was given.
const drawn = vi.hoisted(() => [] as Array<{ data: unknown[]; opts: Record<string, unknown> }>);
vi.mock("uplot", () => ({
  default: class {
    constructor(opts: Record<string, unknown>, data: unknown[]) {
      drawn.push({ opts, data });
    }
    destroy() {}
    setSize() {}
  },
}));

afterEach(async () => {
  cleanup();
  drawn.length = 0;
  await FakeEngine.stop();
});

const inAMonth = new Date(Date.now() + 30 * 86_400_000 + 3_600_000).toISOString();

const figures = (name: string): MonitorUptime => ({
  monitor: name,
  uptime: [
    { period: "24h", percent: 99.9537, watched_s: 79_200, down_s: 37, unwatched_s: 7_200, since: null },
    { period: "7d", percent: 100, watched_s: 604_800, down_s: 0, unwatched_s: 0, since: null },
    { period: "30d", percent: null, watched_s: 0, down_s: 0, unwatched_s: 0, since: null },
  ],
  certificate: { not_after: inAMonth, seen_at: new Date().toISOString() },
});

describe("uptime under each monitor", () => {
  it("shows 24 h, 7 d and 30 d as the user reads them, and what was left out", async () => {
    new FakeEngine({
      status: () => status({ overall: "all_up", monitors: [monitor("api")] }),
      uptime: () => [figures("api")],
    });
    render(App);
    const day = await screen.findByTestId("uptime-24h");
    expect(day.textContent).toBe("24 h 99.95 %");
    expect(screen.getByTestId("uptime-7d").textContent).toBe("7 d 100 %");
    expect(screen.getByTestId("uptime-30d").textContent).toBe("30 d nothing watched");
    expect(screen.getByTestId("uptime-line").textContent).toBe("99.95 % · 37 s down · 2 h unwatched not counted");
    expect(screen.getByTestId("certificate").textContent?.trim()).toMatch(/^certificate expires in 30 d/);
    await fireEvent.click(screen.getByTestId("uptime-7d"));
    expect(screen.getByTestId("uptime-line").textContent).toBe("100 %");
    expect(screen.getByTestId("uptime-7d").getAttribute("aria-pressed")).toBe("true");
  });

  it("draws the chosen period's response times on demand", async () => {
    const engine = new FakeEngine({
      status: () => status({ overall: "all_up", monitors: [monitor("api")] }),
      uptime: () => [figures("api")],
      latency: (a) => ({
        monitor: a.monitor, period: a.period, from: "2026-11-24T13:00:00Z", step_s: 3600,
        avg_ms: [null, 40, 60], max_ms: [null, 45, 300],
      }),
    });
    render(App);
    await fireEvent.click(await screen.findByTestId("uptime-7d"));
    await fireEvent.click(screen.getByTestId("chart-toggle"));
    const summary = await screen.findByTestId("latency-summary");
    expect(summary.textContent).toBe("response time over 7 d: typically 50 ms, at worst 300 ms");
    expect(engine.called("latency")[0].args).toEqual({ monitor: "api", period: "7d" });
    await waitFor(() => expect(drawn.length).toBeGreaterThan(0));
    expect(drawn.at(-1)?.data.slice(1)).toEqual([[null, 45, 300], [null, 40, 60]]);
    await fireEvent.click(screen.getByTestId("uptime-30d"));
    await waitFor(() => expect(engine.called("latency").at(-1)?.args).toEqual({ monitor: "api", period: "30d" }));
  });

  it("says nothing of a certificate for a monitor without one", async () => {
    new FakeEngine({
      status: () => status({ overall: "all_up", monitors: [monitor("db")] }),
      uptime: () => [{ ...figures("db"), certificate: null }],
    });
    render(App);
    await screen.findByTestId("uptime-24h");
    expect(screen.queryByTestId("certificate")).toBeNull();
  });
});
