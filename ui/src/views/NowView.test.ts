// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import App from "../App.svelte";
import { bar, FakeEngine, fail, incident, monitor, source, status } from "../test/fakeEngine";

afterEach(async () => {
  cleanup();
  await FakeEngine.stop();
});

describe("the Now view", () => {
  it("shows each monitor's last 24 hours with a summary a screen reader can read", async () => {
    new FakeEngine({
      status: () => status({ overall: "failing", monitors: [monitor("api"), monitor("db", "down")] }),
      day_bars: () => [
        { monitor: "api", slots: bar([95, "up"], [1, "down"]) },
        { monitor: "db", slots: bar([48, "none"], [48, "up"]) },
      ],
    });
    render(App);
    await waitFor(() => expect(screen.getAllByTestId("day-bar")).toHaveLength(2));
    const [api, db] = screen.getAllByTestId("day-bar");
    expect(api.getAttribute("aria-label")).toBe("last 24 h: 23 h 45 min up, 15 min down");
    expect(api.children).toHaveLength(96);
    expect(api.lastElementChild?.className).toBe("slot slot-down");
    expect(db.getAttribute("title")).toBe("last 24 h: 12 h up, 12 h no data");
  });

  it("says what is missing when the alarm would not reach the user, and nothing when it would", async () => {
    const gap = "phone (ntfy): the last delivery failed: HTTP 401 — check the token";
    const engine = new FakeEngine({
      status: () =>
        status({
          overall: "all_up",
          monitors: [monitor("api")],
          coverage: { covered: false, gaps: [{ item: "channel", problem: gap }] },
        }),
    });
    render(App);
    await waitFor(() => expect(screen.getByTestId("coverage").textContent).toContain(gap));
    await engine.emitStatus(
      status({ overall: "all_up", monitors: [monitor("api")], coverage: { covered: true, gaps: [] } }),
    );
    await waitFor(() => expect(screen.queryByTestId("coverage")).toBeNull());
  });

  it("reads the bars again when the status changes", async () => {
    const engine = new FakeEngine({ status: () => status({ overall: "all_up", monitors: [monitor("api")] }) });
    render(App);
    await waitFor(() => expect(engine.called("day_bars")).toHaveLength(1));
    await engine.emitStatus(status({ overall: "failing", monitors: [monitor("api", "down")] }));
    await waitFor(() => expect(engine.called("day_bars")).toHaveLength(2));
  });

  it("acknowledges a ringing incident with the code the user typed", async () => {
    const ringing = status({
      overall: "ringing",
      monitors: [monitor("api", "down")],
      incidents: [incident(7, { state: "ringing", resolved_at: null, reason: "HTTP 502 <b>bad</b>" })],
      ack_code: "4821",
    });
    const engine = new FakeEngine({ status: () => ringing, acknowledge: () => "Acknowledged api." });
    render(App);
    expect((await screen.findByTestId("ack-code")).textContent).toBe("4821");
    expect(screen.getByText("HTTP 502 <b>bad</b>")).toBeTruthy();

    await fireEvent.input(screen.getByTestId("code-input"), { target: { value: "4821" } });
    await fireEvent.click(screen.getByTestId("acknowledge"));
    expect((await screen.findByTestId("message")).textContent).toBe("Acknowledged api.");
    expect(engine.called("acknowledge")[0].args).toEqual({ code: "4821" });
  });

  it("shows why an action failed", async () => {
    new FakeEngine({
      status: () => status({ overall: "all_up", monitors: [monitor("api")] }),
      test_alarm: () => {
        throw { code: "engine", message: "The engine is not running." };
      },
    });
    render(App);
    await fireEvent.click(await screen.findByTestId("test-alarm"));
    expect((await screen.findByTestId("failure")).textContent).toBe("The engine is not running.");
  });

  it("says loudly when Klaxon itself cannot make checks, and keeps the monitor up", async () => {
    const fault = "Klaxon has too many open files (since 02:07:31 UTC): some checks cannot be made";
    new FakeEngine({ status: () => status({ overall: "all_up", monitors: [monitor("api")], local_fault: fault }) });
    render(App);
    expect((await screen.findByTestId("local-fault")).textContent).toBe(fault);
    expect(screen.queryByTestId("incident")).toBeNull();
  });

  it("says until when monitoring is paused and offers to resume", async () => {
    new FakeEngine({ status: () => status({ overall: "paused", monitors: [monitor("api", "paused")], paused_until: "resumed" }) });
    render(App);
    expect((await screen.findByTestId("paused")).textContent).toContain("paused until you resume it");
    expect(screen.getByTestId("resume")).toBeTruthy();
  });

  it("says when history is not being saved, what was set aside and what crashed, as text", async () => {
    new FakeEngine({
      status: () =>
        status({
          overall: "all_up",
          monitors: [monitor("api")],
          store_problem: "history is not being saved: the disk is full (3 changes kept in memory, written once it works again)",
          store_notice: "the database was damaged; it was kept as /data/klaxon.db.damaged-1 and a fresh one was started",
          faults: ['the checks of "<img src=x>" crashed (boom) and were restarted'],
        }),
    });
    render(App);
    expect((await screen.findByTestId("store-problem")).textContent).toBe(
      "history is not being saved: the disk is full (3 changes kept in memory, written once it works again). The alarm still works.",
    );
    expect(screen.getByTestId("store-notice").textContent).toContain("klaxon.db.damaged-1");
    expect(screen.getByTestId("fault").textContent).toBe('the checks of "<img src=x>" crashed (boom) and were restarted');
  });
});

describe("the Now view's sources", () => {
  const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();

  it("shows each source's kind, state, alerts firing, when it was read and why it cannot be read, as text", async () => {
    // Read times taken before the window's clock starts, so they are at least this old there.
    const sources = status({
      overall: "all_up",
      sources: [
        source("prod-am", { firing: 2, last_read: minutesAgo(3) }),
        source("<b>kuma</b>", {
          kind: "uptime_kuma", state: "unreachable", reason: "HTTP 502 from <i>kuma</i>", last_read: minutesAgo(12),
        }),
        source("hc", { kind: "healthchecks", state: "unknown" }),
      ],
    });
    new FakeEngine({ status: () => sources });
    render(App);
    await waitFor(() => expect(screen.getAllByTestId("source")).toHaveLength(3));
    const [am, kuma, hc] = screen.getAllByTestId("source");
    const part = (row: HTMLElement, id: string) => row.querySelector(`[data-testid="${id}"]`)?.textContent;

    expect(part(am, "source-name")).toBe("prod-am");
    expect(part(am, "source-kind")).toBe("Alertmanager");
    expect(part(am, "source-state")).toBe("reachable");
    expect(part(am, "source-firing")).toBe("2 alerts firing");
    expect(part(am, "source-read")).toBe("read 3 min ago");
    expect(part(am, "source-reason")).toBeUndefined();

    expect(part(kuma, "source-name")).toBe("<b>kuma</b>");
    expect(kuma.querySelector("b, i")).toBeNull();
    expect(part(kuma, "source-kind")).toBe("Uptime Kuma");
    expect(part(kuma, "source-state")).toBe("unreachable");
    expect(part(kuma, "source-firing")).toBe("no alerts firing");
    expect(part(kuma, "source-reason")).toBe("HTTP 502 from <i>kuma</i>");
    expect(part(kuma, "source-read")).toBe("read 12 min ago");

    expect(part(hc, "source-state")).toBe("not read yet");
    expect(part(hc, "source-read")).toBe("never read");
    // Sources are something configured: no "add your first monitor" over them.
    expect(screen.queryByTestId("empty")).toBeNull();
  });

  it("reads a source now with Check now, says what the engine said, and reads the status again", async () => {
    const engine = new FakeEngine({
      status: () => status({ overall: "all_up", sources: [source("prod-am"), source("kuma", { kind: "uptime_kuma" })] }),
      check_source: (a) => `reading ${a.name} now`,
    });
    render(App);
    await waitFor(() => expect(screen.getAllByTestId("check-source")).toHaveLength(2));
    const before = engine.called("status").length;
    await fireEvent.click(screen.getAllByTestId("check-source")[1]);

    expect((await screen.findByTestId("source-said")).textContent).toBe("reading kuma now");
    expect(engine.called("check_source").map((c) => c.args)).toEqual([{ name: "kuma" }]);
    await waitFor(() => expect(engine.called("status").length).toBe(before + 1));
    // Said under the source that was checked, not the other.
    expect(screen.getAllByTestId("source")[1].querySelector('[data-testid="source-said"]')).not.toBeNull();
  });

  it("shows the engine's refusal under the source", async () => {
    new FakeEngine({
      status: () => status({ overall: "all_up", sources: [source("prod-am")] }),
      check_source: () => fail('no [[source]] is named "prod-am"'),
    });
    render(App);
    await fireEvent.click(await screen.findByTestId("check-source"));
    const said = await screen.findByTestId("source-said");
    expect(said.textContent).toBe('no [[source]] is named "prod-am"');
    expect(said.className).toBe("error");
  });

  it("names the source of an open incident that came from one, and none for a monitor's", async () => {
    const engine = new FakeEngine({
      status: () =>
        status({
          overall: "ringing",
          sources: [source("prod-am", { firing: 1 })],
          incidents: [incident(9, { monitor: "HighErrorRate", source: "prod-am", state: "ringing", resolved_at: null })],
        }),
    });
    render(App);
    expect((await screen.findByTestId("incident-source")).textContent).toBe("Alert from prod-am");
    expect(screen.getByTestId("incident").textContent).toContain("HighErrorRate is down");

    await engine.emitStatus(
      status({
        overall: "ringing",
        monitors: [monitor("api", "down")],
        incidents: [incident(10, { state: "ringing", resolved_at: null })],
      }),
    );
    await waitFor(() => expect(screen.getByTestId("incident").textContent).toContain("api is down"));
    expect(screen.queryByTestId("incident-source")).toBeNull();
    expect(screen.queryByTestId("sources")).toBeNull();
  });
});
