// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import App from "./App.svelte";
import { FakeEngine, incident, monitor, status } from "./test/fakeEngine";

afterEach(async () => {
  cleanup();
  await FakeEngine.stop();
});

describe("the window", () => {
  it("opens on Now and switches between the three tabs", async () => {
    new FakeEngine({ status: () => status({ overall: "all_up", monitors: [monitor("api")] }) });
    render(App);
    expect(await screen.findByTestId("monitor")).toBeTruthy();

    await fireEvent.click(screen.getByTestId("tab-incidents"));
    expect(await screen.findByText("No incidents yet.")).toBeTruthy();
    expect(screen.queryByTestId("monitor")).toBeNull();

    await fireEvent.click(screen.getByTestId("tab-settings"));
    expect(await screen.findByTestId("add-monitor")).toBeTruthy();

    await fireEvent.click(screen.getByTestId("tab-now"));
    expect(await screen.findByTestId("monitor")).toBeTruthy();
  });

  it("invites a new user to add a first monitor and opens the form in Settings", async () => {
    new FakeEngine();
    render(App);
    const empty = await screen.findByTestId("empty");
    expect(empty.textContent).toContain("Klaxon checks nothing until you add a monitor");

    await fireEvent.click(screen.getByTestId("add-first-monitor"));
    expect(await screen.findByTestId("monitor-name")).toBeTruthy();
    expect(screen.getByTestId("tab-settings").getAttribute("aria-current")).toBe("page");
  });

  it("calls the user back to Now from another tab while something rings", async () => {
    const engine = new FakeEngine({ status: () => status({ overall: "all_up", monitors: [monitor("api")] }) });
    render(App);
    await fireEvent.click(screen.getByTestId("tab-settings"));
    expect(screen.queryByTestId("ringing-banner")).toBeNull();

    await engine.emitStatus(
      status({ overall: "ringing", monitors: [monitor("api", "down")], incidents: [incident(1, { state: "ringing", resolved_at: null })] }),
    );
    const banner = await screen.findByTestId("ringing-banner");
    expect(banner.textContent).toContain("api is down and ringing");

    await fireEvent.click(banner);
    expect(await screen.findByTestId("acknowledge")).toBeTruthy();
  });

  it("says the engine is not running instead of the last All up, and clears it when it answers", async () => {
    const engine = new FakeEngine({ status: () => status({ overall: "all_up", monitors: [monitor("api")] }) });
    render(App);
    expect((await screen.findByTestId("headline")).textContent).toBe("All up");

    await engine.emitEngineLost("no Klaxon engine is running on the data dir /home/me/.local/share/klaxon");
    await waitFor(() => expect(screen.getByTestId("headline").textContent).toBe("Not running"));
    expect(screen.getByTestId("failure").textContent).toContain("nothing is being watched");

    await engine.emitStatus(status({ overall: "all_up", monitors: [monitor("api")] }));
    await waitFor(() => expect(screen.getByTestId("headline").textContent).toBe("All up"));
    expect(screen.queryByTestId("failure")).toBeNull();
  });

  it("heads the window with the state Rust decided, and follows it as it changes", async () => {
    const engine = new FakeEngine({ status: () => status({ overall: "all_up", monitors: [monitor("api")] }) });
    render(App);
    expect((await screen.findByTestId("headline")).textContent).toBe("All up");
    expect(screen.getByTestId("tab-now").classList.contains("alert")).toBe(false);

    // Offline outranks everything but an open incident: the monitor's own "up" does not count.
    await engine.emitStatus(status({ overall: "offline", monitors: [monitor("api")], blind: true }));
    await waitFor(() => expect(screen.getByTestId("headline").textContent).toBe("Offline"));

    const acked = incident(1, { state: "acknowledged", resolved_at: null });
    await engine.emitStatus(status({ overall: "acknowledged", monitors: [monitor("api", "down")], incidents: [acked] }));
    await waitFor(() => expect(screen.getByTestId("headline").textContent).toBe("Acknowledged"));
    expect(screen.getByTestId("tab-now").classList.contains("alert")).toBe(true);
    await fireEvent.click(screen.getByTestId("tab-settings"));
    expect(screen.queryByTestId("ringing-banner")).toBeNull();
  });
});
