// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import ChannelsSettings from "./ChannelsSettings.svelte";
import { FakeEngine, channelForm, channelSettings, fail } from "../test/fakeEngine";
import type { ChannelForm, ChannelSettings, EscalationForm, FieldProblem } from "../lib/types";

afterEach(async () => {
  cleanup();
  await FakeEngine.stop();
});

const type = (testId: string, value: string, n = 0) =>
  fireEvent.input(screen.getAllByTestId(testId)[n], { target: { value } });
const input = (testId: string) => screen.getByTestId(testId) as HTMLInputElement;
const button = (testId: string) => screen.getByTestId(testId) as HTMLButtonElement;
const texts = (testId: string) => screen.queryAllByTestId(testId).map((e) => e.textContent?.trim());

const ladder: EscalationForm = {
  steps: [
    { after: "0s", notify: ["siren"] },
    { after: "3m", notify: ["phone"] },
    { after: "10m", notify: ["phone", "team"] },
  ],
  repeat_every: "15m",
  ack_timeout: "",
};

/** A fake whose file holds `file`, and whose save_channel adds or replaces in it. */
function withFile(file: ChannelSettings) {
  const engine = new FakeEngine({ channel_settings: () => structuredClone(file) });
  engine.on("save_channel", (a) => {
    const form = a.form as ChannelForm;
    file.channels = file.channels.filter((c) => c.name !== a.previous && c.name !== form.name).concat(form);
    return `${form.name} saved; saved to /home/me/.config/klaxon/klaxon.toml`;
  });
  engine.on("set_secret", (a) => `${a.name} is stored in the keyring`);
  return engine;
}

describe("adding a channel", () => {
  it("sends the token's value to the keyring and only its name to klaxon.toml", async () => {
    const engine = withFile(channelSettings());
    render(ChannelsSettings);
    await fireEvent.click(await screen.findByTestId("add-channel"));
    await type("channel-name", "phone");
    await type("channel-topic", "klaxon-sam");
    await type("channel-token-value", "tk_live_9f8e7d");
    expect(input("channel-token").value).toBe("{secret:phone-token}");
    await waitFor(() => expect(button("save-channel").disabled).toBe(false));
    await fireEvent.click(button("save-channel"));

    expect((await screen.findByTestId("channels-message")).textContent).toBe(
      "phone saved; saved to /home/me/.config/klaxon/klaxon.toml",
    );
    const order = engine.calls.map((c) => c.cmd).filter((c) => c === "set_secret" || c === "save_channel");
    expect(order).toEqual(["set_secret", "save_channel"]);
    expect(engine.called("set_secret")[0].args).toEqual({ name: "phone-token", value: "tk_live_9f8e7d" });
    const saved = engine.called("save_channel")[0].args;
    expect(saved.previous).toBeNull();
    expect(saved.form).toMatchObject({ name: "phone", kind: "ntfy", topic: "klaxon-sam", token: "{secret:phone-token}" });
    for (const c of engine.calls.filter((c) => c.cmd !== "set_secret")) {
      expect(JSON.stringify(c.args)).not.toContain("tk_live_9f8e7d");
    }
    const row = await screen.findByTestId("channel");
    expect(within(row).getByText("phone")).toBeTruthy();
    expect(within(row).getByText("ntfy")).toBeTruthy();
  });

  it("shows the engine's problem beside the field typed in, and keeps Save disabled", async () => {
    new FakeEngine({
      validate_channel: (a) => {
        const problems: FieldProblem[] = [];
        const topic = (a.form as ChannelForm).topic;
        if (!/^[A-Za-z0-9_-]+$/.test(topic)) problems.push({ field: "topic", message: `"${topic}" is not an ntfy topic` });
        return problems;
      },
    });
    render(ChannelsSettings);
    await fireEvent.click(await screen.findByTestId("add-channel"));
    expect(screen.queryByTestId("field-error")).toBeNull(); // nothing typed yet
    await type("channel-topic", "has spaces");
    const error = await screen.findByTestId("field-error");
    expect(error.textContent).toBe('"has spaces" is not an ntfy topic');
    expect(error.closest(".field")?.querySelector("[data-testid=channel-topic]")).toBeTruthy();
    expect(button("save-channel").disabled).toBe(true);
  });

  it("asks only for the fields of the chosen kind, and sends no others", async () => {
    const engine = new FakeEngine();
    render(ChannelsSettings);
    await fireEvent.click(await screen.findByTestId("add-channel"));
    await type("channel-topic", "left-behind");
    await fireEvent.change(screen.getByTestId("channel-kind"), { target: { value: "email" } });
    expect(screen.queryByTestId("channel-topic")).toBeNull();
    for (const f of ["host", "port", "username", "password", "from", "to", "starttls"]) {
      expect(screen.getByTestId(`channel-${f}`)).toBeTruthy();
    }
    await waitFor(() => expect((engine.called("validate_channel").at(-1)?.args.form as ChannelForm).kind).toBe("email"));
    expect((engine.called("validate_channel").at(-1)?.args.form as ChannelForm).topic).toBe("");
  });
});

describe("editing and deleting", () => {
  it("saves an edited channel under the name it had when the editor opened", async () => {
    const file = channelSettings({ channels: [channelForm("phone")] });
    const engine = withFile(file);
    render(ChannelsSettings);
    await fireEvent.click(await screen.findByTestId("edit-channel"));
    expect(input("channel-topic").value).toBe("klaxon-phone");
    await type("channel-name", "sam-phone");
    await waitFor(() => expect(button("save-channel").disabled).toBe(false));
    await fireEvent.click(button("save-channel"));
    await screen.findByTestId("channels-message");
    expect(engine.called("save_channel")[0].args).toMatchObject({ previous: "phone", form: { name: "sam-phone" } });
    expect(engine.called("set_secret")).toHaveLength(0);
    await waitFor(() => expect(texts("channel")[0]).toContain("sam-phone"));
  });

  it("says why a channel the ladder still names is not deleted, and keeps it", async () => {
    const refusal = "phone is notified by step 2 of the escalation ladder: take it out of the ladder first, then delete it";
    new FakeEngine({
      channel_settings: () => channelSettings({ channels: [channelForm("phone")], escalation: ladder }),
      delete_channel: () => fail(refusal),
    });
    render(ChannelsSettings);
    await fireEvent.click(await screen.findByTestId("delete-channel"));
    await fireEvent.click(screen.getByTestId("confirm-delete-channel"));
    expect((await screen.findByTestId("channels-failure")).textContent).toBe(refusal);
    expect(screen.getAllByTestId("channel")).toHaveLength(1);
  });

  it("shows a server's answer as text, never as markup", async () => {
    new FakeEngine({
      channel_settings: () => channelSettings({ channels: [channelForm("phone")] }),
      channels: () => [
        { name: "phone", kind: "ntfy", last_state: "failed", last_error: "<img src=x onerror=alert(1)>", last_at: null, last_step: "test" },
      ],
    });
    render(ChannelsSettings);
    const row = await screen.findByTestId("channel");
    await waitFor(() => expect(row.textContent).toContain("failed: <img src=x onerror=alert(1)>"));
    expect(row.querySelector("img")).toBeNull();
  });
});

describe("the escalation ladder", () => {
  it("reads the ladder aloud", async () => {
    new FakeEngine({ channel_settings: () => channelSettings({ channels: [channelForm("phone"), channelForm("team")], escalation: ladder }) });
    render(ChannelsSettings);
    await waitFor(() => expect(texts("ladder-line")).toHaveLength(4));
    expect(texts("ladder-line")).toEqual([
      "at once, ring the siren",
      "after 3 minutes, notify phone",
      "after 10 minutes, notify phone and team",
      "while nobody acknowledges, notify the channels again every 15 minutes",
    ]);
  });

  it("starts a first ladder with the siren, shows a step's problem beside it, and saves what was chosen", async () => {
    const engine = new FakeEngine({
      channel_settings: () => channelSettings({ channels: [channelForm("phone"), channelForm("team")] }),
      validate_escalation: (a) =>
        (a.form as EscalationForm).steps.flatMap((s, i) =>
          /^\d+[smh]$/.test(s.after) ? [] : [{ field: `steps[${i + 1}].after`, message: `"${s.after}" is not a duration` }],
        ),
      save_escalation: () => "Escalation saved; saved to /home/me/.config/klaxon/klaxon.toml",
    });
    render(ChannelsSettings);
    expect((await screen.findByTestId("ladder-line")).textContent).toBe(
      "The siren rings on this machine, and no one else is told.",
    );
    await fireEvent.click(screen.getByTestId("edit-ladder"));
    expect(screen.getAllByTestId("ladder-step")).toHaveLength(2);
    await waitFor(() => expect(texts("ladder-line")).toEqual(["at once, ring the siren", "after 3 minutes, notify phone"]));

    await fireEvent.click(screen.getByTestId("add-step"));
    await type("step-after", "soon", 2);
    const third = screen.getAllByTestId("ladder-step")[2];
    await waitFor(() => expect(within(third).getByTestId("field-error").textContent).toBe('"soon" is not a duration'));
    expect(button("save-ladder").disabled).toBe(true);

    await type("step-after", "10m", 2);
    const team = within(third).getAllByTestId("step-notify").find((c) => (c as HTMLInputElement).value === "team")!;
    await fireEvent.click(team);
    await waitFor(() => expect(button("save-ladder").disabled).toBe(false));
    expect(texts("ladder-line")[2]).toBe("after 10 minutes, notify team");
    await fireEvent.click(button("save-ladder"));
    expect((await screen.findByTestId("ladder-message")).textContent).toContain("Escalation saved");
    expect(engine.called("save_escalation")[0].args.form).toEqual({
      steps: [
        { after: "0s", notify: ["siren"] },
        { after: "3m", notify: ["phone"] },
        { after: "10m", notify: ["team"] },
      ],
      repeat_every: "",
      ack_timeout: "",
    });
  });

  it("goes back to the siren alone by saving no steps", async () => {
    const engine = new FakeEngine({
      channel_settings: () => channelSettings({ channels: [channelForm("phone")], escalation: ladder }),
      save_escalation: () => "Escalation saved",
    });
    render(ChannelsSettings);
    await fireEvent.click(await screen.findByTestId("siren-alone"));
    await screen.findByTestId("ladder-message");
    expect(engine.called("save_escalation")[0].args.form).toEqual({ steps: [], repeat_every: "", ack_timeout: "" });
  });
});
