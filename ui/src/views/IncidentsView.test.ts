// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import IncidentsView from "./IncidentsView.svelte";
import { FakeEngine, incident } from "../test/fakeEngine";

afterEach(async () => {
  cleanup();
  await FakeEngine.stop();
});

describe("the Incidents view", () => {
  it("says so when nothing has happened yet", async () => {
    new FakeEngine();
    render(IncidentsView);
    expect(await screen.findByText("No incidents yet.")).toBeTruthy();
  });

  it("lists incidents newest first with how long they lasted and took to acknowledge", async () => {
    new FakeEngine({
      history: () => [
        incident(2, { monitor: "db", time_to_acknowledge_s: 95, time_to_recover_s: 780, acknowledged_via: "window" }),
        incident(1, { monitor: "api" }),
      ],
    });
    render(IncidentsView);
    const rows = await screen.findAllByTestId("incident-row");
    expect(rows.map((r) => r.querySelector(".name")?.textContent)).toEqual(["db", "api"]);
    expect(rows[0].textContent).toContain("14 min"); // 02:06 to 02:20
    expect(rows[0].textContent).toContain("1 min");
    expect(rows[0].textContent).toContain("13 min");
    expect(rows[0].textContent).toContain("window");
    expect(rows[1].textContent).toContain("—");
  });

  it("says which source an outside alert's incident came from", async () => {
    new FakeEngine({
      history: () => [incident(4, { monitor: "HighErrorRate", source: "prod-am" }), incident(3, { monitor: "api" })],
    });
    render(IncidentsView);
    const rows = await screen.findAllByTestId("incident-row");
    expect(rows[0].querySelector('[data-testid="row-source"]')?.textContent).toBe("from prod-am");
    expect(rows[1].querySelector('[data-testid="row-source"]')).toBeNull();
  });

  it("opens an incident's timeline and evidence, as text, and goes back", async () => {
    const engine = new FakeEngine({
      history: () => [incident(3)],
      incident: () => ({
        incident: incident(3),
        timeline: [
          { at: "2026-11-30T02:06:00Z", kind: "first_failure", detail: "connection refused" },
          { at: "2026-11-30T02:07:00Z", kind: "alarm_started", detail: "" },
        ],
        evidence: { status: 502, remote: "10.0.0.5:443", body_excerpt: "<script>alert(1)</script>" },
      }),
    });
    render(IncidentsView);
    await fireEvent.click(await screen.findByTestId("incident-row"));
    const detail = await screen.findByTestId("incident-detail");
    expect(engine.called("incident")[0].args).toEqual({ id: 3 });
    expect(detail.textContent).toContain("First failed check");
    expect(detail.textContent).toContain("Alarm started");
    expect(detail.textContent).toContain("502");
    expect(detail.textContent).toContain("10.0.0.5:443");
    expect(screen.getByTestId("body-excerpt").textContent).toBe("<script>alert(1)</script>");
    expect(detail.querySelector("script")).toBeNull();

    await fireEvent.click(screen.getByTestId("back"));
    expect(await screen.findByTestId("incident-row")).toBeTruthy();
    expect(screen.queryByTestId("incident-detail")).toBeNull();
  });
});
