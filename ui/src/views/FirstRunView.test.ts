// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import App from "../App.svelte";
import FirstRunView from "./FirstRunView.svelte";
import { FakeEngine, channelForm, channelSettings, fail, incident, monitor, status } from "../test/fakeEngine";
import type { ChannelForm, ChannelSettings, EscalationForm, MonitorForm, Status } from "../lib/types";

afterEach(async () => {
  cleanup();
  await FakeEngine.stop();
});

const type = (testId: string, value: string) => fireEvent.input(screen.getByTestId(testId), { target: { value } });
const button = (testId: string) => screen.getByTestId(testId) as HTMLButtonElement;
const text = async (testId: string) => (await screen.findByTestId(testId)).textContent?.trim();

/** The guess Rust makes for the one typed line (a stand-in: the real one is unit-tested in Rust). */
function guessed(typed: string): MonitorForm {
  if (typed === "nonsense") fail("target: \"nonsense\" is not an address Klaxon can check");
  const tcp = !typed.includes("://");
  return {
    original_name: null, name: tcp ? typed.split(":")[0] : new URL(typed).hostname, kind: tcp ? "tcp" : "http", target: typed,
    every: "30s", timeout: "10s", expect_status: "", body_contains: "", header_name: "", header_value: "",
  };
}

/** A fake engine with a file of channels and a ladder that the guide's commands change. */
function engine(file: ChannelSettings = channelSettings()) {
  const e = new FakeEngine({
    guess_monitor: (a) => guessed(a.typed as string),
    check_monitor: () => ({ ok: true, reason: "HTTP 200", latency_ms: 12 }),
    save_monitor: (a) => `${(a.form as MonitorForm).name} saved; saved to /home/me/.config/klaxon/klaxon.toml`,
    test_alarm: () => "Playing the alarm for 10 s.",
    channel_settings: () => structuredClone(file),
    save_channel: (a) => {
      file.channels.push(a.form as ChannelForm);
      return `${(a.form as ChannelForm).name} saved`;
    },
    put_phone_on_ladder: (a) => {
      const ladder: EscalationForm = { steps: [{ after: "0s", notify: ["siren"] }, { after: "3m", notify: [a.channel as string] }], repeat_every: "", ack_timeout: "" };
      file.escalation = ladder;
      return `${a.channel} is on the escalation ladder`;
    },
    first_run_end: () => null,
  });
  return e;
}

describe("the guided first run", () => {
  it("guesses the name and kind from one line, checks it for real and saves it", async () => {
    const e = engine();
    render(FirstRunView, { status: status(), onclose: () => {} });
    expect(await text("guide-progress")).toBe("Step 1 of 4");
    await type("guide-url", "https://api.acme.com/health");
    await waitFor(() => expect((screen.getByTestId("guide-name") as HTMLInputElement).value).toBe("api.acme.com"));
    expect((screen.getByTestId("guide-kind") as HTMLSelectElement).value).toBe("http");
    expect(button("guide-save").disabled).toBe(true);

    // The founder renames it; a later guess keeps the name they chose.
    await type("guide-name", "API");
    await fireEvent.click(button("guide-check"));
    expect(await text("guide-check-outcome")).toBe("Up — 12 ms");
    await fireEvent.click(button("guide-save"));

    expect(await text("guide-progress")).toBe("Step 2 of 4");
    const saved = e.called("save_monitor")[0].args.form as MonitorForm;
    expect(saved).toMatchObject({ name: "API", kind: "http", target: "https://api.acme.com/health", original_name: null });
    expect(e.called("check_monitor")).toHaveLength(1);
  });

  it("says what to type when the line cannot be a service", async () => {
    engine();
    render(FirstRunView, { status: status(), onclose: () => {} });
    await type("guide-url", "nonsense");
    expect(await text("guide-guess-failure")).toContain("is not an address Klaxon can check");
    expect(screen.queryByTestId("guide-name")).toBeNull();
  });

  it("asks whether the alarm was heard, and says what to check when it was not", async () => {
    const e = engine();
    const noSound: Status = status({ sound: { can_sound: false, problem: "Klaxon cannot make a sound: no output device", file_problem: null } });
    render(FirstRunView, { status: noSound, onclose: () => {} });
    await fireEvent.click(button("guide-skip"));
    expect(await text("guide-title")).toBe("Hear the alarm");
    expect(screen.queryByTestId("guide-heard-yes")).toBeNull();

    await fireEvent.click(button("guide-test-alarm"));
    await fireEvent.click(await screen.findByTestId("guide-heard-no"));
    const advice = await text("guide-not-heard");
    expect(advice).toContain("Klaxon cannot make a sound: no output device");
    await fireEvent.click(button("guide-try-again"));
    await waitFor(() => expect(e.called("test_alarm")).toHaveLength(2));

    await fireEvent.click(await screen.findByTestId("guide-heard-yes"));
    expect(await text("guide-title")).toBe("Reach your phone");
  });

  it("saves the phone, puts it on the ladder and sends it a test message", async () => {
    const e = engine();
    render(FirstRunView, { status: status(), onclose: () => {} });
    await fireEvent.click(button("guide-skip"));
    await fireEvent.click(button("guide-skip"));
    await fireEvent.click(await screen.findByTestId("guide-phone-ntfy"));
    expect((screen.getByTestId("channel-name") as HTMLInputElement).value).toBe("phone");
    await type("channel-topic", "klaxon-sam-7f3k");
    await waitFor(() => expect(button("save-channel").disabled).toBe(false));
    await fireEvent.click(button("save-channel"));

    expect(await text("guide-ladder")).toContain("after 3 minutes, notify phone");
    expect(e.called("put_phone_on_ladder")[0].args).toEqual({ channel: "phone" });
    await fireEvent.click(button("guide-test-phone"));
    expect(await text("guide-phone-outcome")).toContain("delivered");
    expect(e.called("test_channel")[0].args).toEqual({ name: "phone" });
    await fireEvent.click(button("guide-phone-done"));
    expect(await text("guide-title")).toBe("Am I covered?");
  });

  it("names the phone's channel so it does not replace one the file has", async () => {
    engine(channelSettings({ channels: [channelForm("phone")] }));
    render(FirstRunView, { status: status(), onclose: () => {} });
    await fireEvent.click(button("guide-skip"));
    await fireEvent.click(button("guide-skip"));
    await fireEvent.click(await screen.findByTestId("guide-phone-pushover"));
    expect((screen.getByTestId("channel-name") as HTMLInputElement).value).toBe("phone-2");
    expect((screen.getByTestId("channel-kind") as HTMLSelectElement).value).toBe("pushover");
  });

  it("says so when the phone was skipped, though the siren alone counts as covered", async () => {
    engine();
    render(FirstRunView, { status: status({ coverage: { covered: true, gaps: [] } }), onclose: () => {} });
    for (let i = 0; i < 3; i++) await fireEvent.click(button("guide-skip"));
    await waitFor(() =>
      expect(screen.getAllByTestId("guide-verdict-line").map((l) => l.textContent?.trim())).toContain(
        "✗ No phone yet: only the siren on this machine will wake you",
      ),
    );
  });

  it("ends on the verdict: each thing set up green, or what is wrong", async () => {
    const e = engine(channelSettings({ channels: [channelForm("phone")] }));
    let closed = 0;
    const covered = status({ coverage: { covered: true, gaps: [] } });
    const { rerender } = render(FirstRunView, { status: covered, onclose: () => closed++ });
    for (let i = 0; i < 3; i++) await fireEvent.click(button("guide-skip"));
    expect(await text("guide-verdict")).toBe("You are covered tonight.");
    expect(screen.getAllByTestId("guide-verdict-line").map((l) => l.textContent?.trim())).toEqual([
      "✓ Your services are checked", "✓ The siren can be heard", "✓ Your phone is reached",
    ]);

    await rerender({
      status: status({ coverage: { covered: false, gaps: [
        { item: "channel", problem: "phone (ntfy): the last delivery failed: HTTP 401" },
        { item: "power", problem: "on battery: plug in" },
      ] } }),
      onclose: () => closed++,
    });
    expect(await text("guide-verdict")).toBe("Not covered yet.");
    expect(screen.getAllByTestId("guide-verdict-line").map((l) => l.textContent?.trim())).toEqual([
      "✓ Your services are checked", "✓ The siren can be heard", "✗ phone (ntfy): the last delivery failed: HTTP 401", "✗ on battery: plug in",
    ]);
    await fireEvent.click(button("guide-done"));
    await waitFor(() => expect(closed).toBe(1));
    expect(e.called("first_run_end")[0].args).toEqual({ end: "finished" });
  });
});

describe("when the guide shows", () => {
  it("opens at the guide on the first launch, and Skip setup is remembered and leaves for Now", async () => {
    const e = engine();
    e.on("first_run_due", () => true);
    render(App);
    expect(await text("guide-title")).toBe("Add your first service");
    expect(screen.queryByTestId("tab-now")).toBeNull();
    await fireEvent.click(button("guide-skip-all"));
    expect(await screen.findByTestId("empty")).toBeTruthy();
    expect(e.called("first_run_end")[0].args).toEqual({ end: "skipped" });
    expect(screen.getByTestId("tab-now").getAttribute("aria-current")).toBe("page");
  });

  it("opens at Now when it is not due, and can be reopened from the empty state and from Settings", async () => {
    const e = engine();
    render(App);
    await fireEvent.click(await screen.findByTestId("empty-guide"));
    expect(await text("guide-title")).toBe("Add your first service");
    await fireEvent.click(button("guide-skip-all"));
    await fireEvent.click(await screen.findByTestId("tab-settings"));
    await fireEvent.click(await screen.findByTestId("open-guide"));
    expect(await text("guide-progress")).toBe("Step 1 of 4");
    expect(e.called("first_run_due")).toHaveLength(1);
  });

  it("calls the founder to Now when something rings during the guide", async () => {
    const e = engine();
    e.on("first_run_due", () => true);
    e.on("status", () =>
      status({ overall: "ringing", monitors: [monitor("api", "down")], incidents: [incident(1, { state: "ringing", resolved_at: null })] }),
    );
    render(App);
    await fireEvent.click(await screen.findByTestId("ringing-banner"));
    expect(await screen.findByTestId("acknowledge")).toBeTruthy();
    expect(screen.queryByTestId("guide")).toBeNull();
  });
});
