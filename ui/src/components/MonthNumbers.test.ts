// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import IncidentsView from "../views/IncidentsView.svelte";
import { FakeEngine, incident } from "../test/fakeEngine";
import type { MonthNumbers } from "../lib/types";

afterEach(async () => {
  cleanup();
  await FakeEngine.stop();
});

const month = (m: string, incidents: number, over: Partial<MonthNumbers> = {}): MonthNumbers => ({
  month: m, incidents, downtime_s: 0, median_ack_s: null, median_recover_s: null, ...over,
});

describe("the month's numbers", () => {
  it("open the Incidents view: incidents, downtime, medians and the trend", async () => {
    new FakeEngine({
      history: () => [incident(1)],
      months: () => ({
        months: [
          month("2026-07-01", 0), month("2026-08-01", 1), month("2026-09-01", 3),
          month("2026-10-01", 0), month("2026-11-01", 2),
          month("2026-12-01", 4, { downtime_s: 3_780, median_ack_s: 95, median_recover_s: 840 }),
        ],
      }),
    });
    render(IncidentsView);
    const numbers = await screen.findByTestId("month-numbers");
    expect(numbers.querySelector("h2")?.textContent).toBe("December 2026");
    expect(screen.getByTestId("month-incidents").textContent).toBe("4");
    expect(screen.getByTestId("month-downtime").textContent).toBe("1 h 3 min");
    expect(screen.getByTestId("month-ack").textContent).toBe("1 min");
    expect(screen.getByTestId("month-recover").textContent).toBe("14 min");
    const trend = screen.getByTestId("month-trend");
    expect([...trend.querySelectorAll("text")].map((t) => t.textContent)).toEqual(["Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]);
    expect(trend.getAttribute("aria-label")).toContain("September 2026: 3 incidents, downtime none");
    expect(trend.querySelectorAll("rect.current")).toHaveLength(1);
    // The list of incidents is still there below.
    expect(await screen.findByTestId("incident-row")).toBeTruthy();
  });

  it("say a quiet month plainly", async () => {
    new FakeEngine({ months: () => ({ months: [month("2026-12-01", 0)] }) });
    render(IncidentsView);
    await screen.findByTestId("month-numbers");
    expect(screen.getByTestId("month-incidents").textContent).toBe("0");
    expect(screen.getByTestId("month-downtime").textContent).toBe("none");
    expect(screen.getByTestId("month-ack").textContent).toBe("—");
    expect(screen.queryByTestId("month-trend")).toBeNull();
  });
});
