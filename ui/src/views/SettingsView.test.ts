// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import SettingsView from "./SettingsView.svelte";
import { FakeEngine, channelForm, channelSettings, fail, settings, source, status } from "../test/fakeEngine";
import type { MonitorForm } from "../lib/types";

afterEach(async () => {
  cleanup();
  await FakeEngine.stop();
});

const api: MonitorForm = {
  original_name: null, name: "api", kind: "http", target: "https://api.example.com/health", every: "30s",
  timeout: "10s", expect_status: "", body_contains: "", header_name: "", header_value: "",
};

const type = (testId: string, value: string) => fireEvent.input(screen.getByTestId(testId), { target: { value } });

describe("adding a monitor", () => {
  it("shows the engine's problem next to the field the user typed in, and keeps Save disabled", async () => {
    const engine = new FakeEngine({
      validate_monitor: (a) => {
        const form = a.form as MonitorForm;
        const problems = [];
        if (!form.name) problems.push({ field: "name", message: "Give the monitor a name." });
        if (!form.target.startsWith("https://")) problems.push({ field: "target", message: "Needs an http(s) URL." });
        return problems;
      },
    });
    render(SettingsView, { startAdding: true });
    const save = (await screen.findByTestId("save-monitor")) as HTMLButtonElement;
    expect((screen.getByTestId("monitor-target") as HTMLInputElement).placeholder).toBe("https://api.example.com/health");

    await type("monitor-target", "ftp://x");
    const error = await screen.findByTestId("field-error");
    expect(error.textContent).toBe("Needs an http(s) URL.");
    expect(error.closest(".field")?.querySelector("[data-testid=monitor-target]")).toBeTruthy();
    expect(screen.queryByText("Give the monitor a name.")).toBeNull(); // not typed in yet
    expect(save.disabled).toBe(true);

    await type("monitor-name", "api");
    await type("monitor-target", "https://api.example.com/health");
    await waitFor(() => expect(save.disabled).toBe(false));
    expect(screen.queryByTestId("field-error")).toBeNull();
    const sent = engine.called("validate_monitor").at(-1)?.args.form as MonitorForm;
    expect(sent).toMatchObject({ original_name: null, name: "api", every: "30s", timeout: "10s" });
  });

  it("asks the engine once the user stops typing, not on every key", async () => {
    const engine = new FakeEngine();
    render(SettingsView, { startAdding: true });
    await screen.findByTestId("monitor-name");
    await waitFor(() => expect(engine.called("validate_monitor")).toHaveLength(1));
    for (const v of ["a", "ap", "api"]) await type("monitor-name", v);
    await waitFor(() => expect(engine.called("validate_monitor")).toHaveLength(2));
    expect((engine.called("validate_monitor")[1].args.form as MonitorForm).name).toBe("api");
  });

  it("changes the example target with the kind and hides the HTTP-only fields", async () => {
    new FakeEngine();
    render(SettingsView, { startAdding: true });
    const kind = await screen.findByTestId("monitor-kind");
    expect(screen.getByTestId("monitor-header-value")).toBeTruthy();
    await fireEvent.change(kind, { target: { value: "tcp" } });
    expect((screen.getByTestId("monitor-target") as HTMLInputElement).placeholder).toBe("db.example.com:5432");
    expect(screen.queryByTestId("monitor-header-value")).toBeNull();
  });

  it("checks the monitor once and says what it saw, or why it could not", async () => {
    const engine = new FakeEngine({ check_monitor: () => ({ ok: true, reason: "200 OK", latency_ms: 42 }) });
    render(SettingsView, { startAdding: true });
    await fireEvent.click(await screen.findByTestId("check-now"));
    expect((await screen.findByTestId("check-outcome")).textContent).toBe("Up — 42 ms");

    engine.on("check_monitor", () => ({ ok: false, reason: "connection refused", latency_ms: 1 }));
    await fireEvent.click(screen.getByTestId("check-now"));
    await waitFor(() => expect(screen.getByTestId("check-outcome").textContent).toBe("Down — connection refused"));

    engine.on("check_monitor", () => {
      throw { code: "config", message: "The target is not a URL." };
    });
    await fireEvent.click(screen.getByTestId("check-now"));
    await waitFor(() => expect(screen.getByTestId("check-outcome").textContent).toBe("Could not check: The target is not a URL."));
  });

  it("saves, says what the engine answered, and shows the new list", async () => {
    let saved = settings();
    const engine = new FakeEngine({
      settings: () => saved,
      save_monitor: (a) => {
        saved = settings({ monitors: [{ ...(a.form as MonitorForm), original_name: null }] });
        return "Added api; checking it now.";
      },
    });
    render(SettingsView, { startAdding: true });
    await type("monitor-name", "api");
    await type("monitor-target", "https://api.example.com/health");
    const save = (await screen.findByTestId("save-monitor")) as HTMLButtonElement;
    await waitFor(() => expect(save.disabled).toBe(false));
    await fireEvent.click(save);
    expect((await screen.findByTestId("message")).textContent).toBe("Added api; checking it now.");
    expect((await screen.findByTestId("settings-monitor")).textContent).toContain("api");
    expect(engine.called("save_monitor")[0].args.form).toMatchObject({ name: "api", original_name: null });
  });

  it("shows why saving failed and keeps the form", async () => {
    new FakeEngine({
      save_monitor: () => {
        throw { code: "config", message: "klaxon.toml is not writable." };
      },
    });
    render(SettingsView, { startAdding: true });
    const save = (await screen.findByTestId("save-monitor")) as HTMLButtonElement;
    await waitFor(() => expect(save.disabled).toBe(false));
    await fireEvent.click(save);
    expect((await screen.findByTestId("save-failure")).textContent).toBe("klaxon.toml is not writable.");
    expect(screen.getByTestId("monitor-name")).toBeTruthy();
  });
});

describe("the monitors list", () => {
  it("edits a monitor under the name it had when the form opened", async () => {
    const engine = new FakeEngine({ settings: () => settings({ monitors: [api] }), save_monitor: () => "Saved." });
    render(SettingsView);
    await fireEvent.click(await screen.findByTestId("edit-monitor"));
    expect((screen.getByTestId("monitor-name") as HTMLInputElement).value).toBe("api");
    await type("monitor-name", "public-api");
    const save = screen.getByTestId("save-monitor") as HTMLButtonElement;
    await waitFor(() => expect(save.disabled).toBe(false));
    await fireEvent.click(save);
    await screen.findByTestId("message");
    expect(engine.called("save_monitor")[0].args.form).toMatchObject({ original_name: "api", name: "public-api" });
  });

  it("asks before deleting a monitor", async () => {
    const engine = new FakeEngine({ settings: () => settings({ monitors: [api] }), delete_monitor: () => "Deleted api." });
    render(SettingsView);
    await fireEvent.click(await screen.findByTestId("delete-monitor"));
    expect(engine.called("delete_monitor")).toHaveLength(0);
    await fireEvent.click(screen.getByTestId("cancel-delete"));
    expect(engine.called("delete_monitor")).toHaveLength(0);

    await fireEvent.click(screen.getByTestId("delete-monitor"));
    await fireEvent.click(screen.getByTestId("confirm-delete"));
    expect((await screen.findByTestId("message")).textContent).toBe("Deleted api.");
    expect(engine.called("delete_monitor")[0].args).toEqual({ name: "api" });
  });
});

describe("the other settings", () => {
  it("saves the alarm with a custom sound file", async () => {
    const engine = new FakeEngine({ save_alarm: () => "Alarm saved." });
    render(SettingsView);
    await fireEvent.change(await screen.findByTestId("alarm-sound"), { target: { value: "custom" } });
    await type("alarm-sound-path", "/home/me/wake.ogg");
    await fireEvent.click(screen.getByTestId("alarm-raise-system-volume"));
    await fireEvent.click(screen.getByTestId("save-alarm"));
    expect((await screen.findByTestId("alarm-message")).textContent).toBe("Alarm saved.");
    expect(engine.called("save_alarm")[0].args.form).toMatchObject({ sound: "/home/me/wake.ogg", raise_system_volume: true, start_volume: 0.3 });
  });

  it("saves one witness per line, and none to turn the offline check off", async () => {
    const engine = new FakeEngine({ save_witnesses: () => "Saved." });
    render(SettingsView);
    const box = (await screen.findByTestId("witnesses")) as HTMLTextAreaElement;
    expect(box.value).toBe("1.1.1.1:53");
    await fireEvent.input(box, { target: { value: "1.1.1.1:53\n\n 9.9.9.9:53 " } });
    await fireEvent.click(screen.getByTestId("save-witnesses"));
    await fireEvent.input(box, { target: { value: "" } });
    await fireEvent.click(screen.getByTestId("save-witnesses"));
    await waitFor(() => expect(engine.called("save_witnesses")).toHaveLength(2));
    expect(engine.called("save_witnesses").map((c) => c.args.witnesses)).toEqual([["1.1.1.1:53", "9.9.9.9:53"], []]);
  });

  it("sets a secret and forgets the value typed", async () => {
    let set = false;
    const engine = new FakeEngine({
      settings: () => settings({ secrets: [{ name: "API_TOKEN", set }] }),
      set_secret: () => {
        set = true;
        return "Stored API_TOKEN in the keyring.";
      },
    });
    render(SettingsView);
    const row = await screen.findByTestId("secret-row");
    expect(row.textContent).toContain("not set");
    const input = within(row).getByTestId("secret-value") as HTMLInputElement;
    expect(input.type).toBe("password");
    await fireEvent.input(input, { target: { value: "s3cret" } });
    await fireEvent.click(within(row).getByTestId("set-secret"));
    expect((await screen.findByTestId("secrets-message")).textContent).toBe("Stored API_TOKEN in the keyring.");
    expect(engine.called("set_secret")[0].args).toEqual({ name: "API_TOKEN", value: "s3cret" });
    // "set", and no longer "not set" (which also holds the word).
    await waitFor(() => expect(screen.getByTestId("secret-row").textContent).not.toContain("not set"));
    expect(screen.getByTestId("secret-row").textContent).toMatch(/\bset\b/);
    expect((screen.getByTestId("secret-value") as HTMLInputElement).value).toBe("");
    expect(document.body.textContent).not.toContain("s3cret");
  });

  it("turns launch at login on and shows the state the system reports", async () => {
    const engine = new FakeEngine({ set_launch_at_login: () => true });
    render(SettingsView);
    const box = (await screen.findByTestId("launch-at-login")) as HTMLInputElement;
    expect(box.checked).toBe(false);
    await fireEvent.click(box);
    expect((await screen.findByTestId("launch-note")).textContent).toBe("Klaxon starts when you log in.");
    expect(engine.called("set_launch_at_login")[0].args).toEqual({ enabled: true });
    expect(box.checked).toBe(true);
  });

  it("says where the settings are saved", async () => {
    new FakeEngine();
    render(SettingsView);
    expect((await screen.findByTestId("config-path")).textContent).toBe("Saved to /home/me/.config/klaxon/klaxon.toml");
  });

  it("says where Klaxon's log file is", async () => {
    new FakeEngine({ settings: () => settings({ log_path: "/home/me/.local/share/klaxon/klaxon.log" }) });
    render(SettingsView);
    expect((await screen.findByTestId("log-path")).textContent).toBe(
      "Klaxon's log: /home/me/.local/share/klaxon/klaxon.log (or run klaxon logs)",
    );
  });
});

describe("channels", () => {
  it("lists each channel with its newest delivery and shows a test's real answer", async () => {
    const engine = new FakeEngine({
      channels: () => [
        { name: "phone", kind: "ntfy", last_state: "failed", last_error: "HTTP 401 — check the token", last_at: null, last_step: "test" },
      ],
      channel_settings: () => channelSettings({ channels: [channelForm("phone")] }),
      test_channel: () => fail("HTTP 401 (unauthorized) — check the token"),
    });
    render(SettingsView);
    const row = await screen.findByTestId("channel");
    expect(row.textContent).toContain("phone");
    expect(row.textContent).toContain("ntfy");
    expect(row.textContent).toContain("failed: HTTP 401 — check the token");
    await fireEvent.click(screen.getByTestId("test-channel"));
    await waitFor(() => expect(screen.getByTestId("channel-result").textContent).toContain("check the token"));
    expect(engine.called("test_channel")[0].args).toEqual({ name: "phone" });
  });
});

describe("sources", () => {
  it("lists each source with its state and reads one at once on Check now", async () => {
    let checked = "";
    new FakeEngine({
      status: () => status({ sources: [source("prod", { state: "unreachable", reason: "HTTP 503" })] }),
      check_source: (a) => {
        checked = a.name as string;
        return "reading prod now";
      },
    });
    render(SettingsView);
    const row = await screen.findByTestId("source");
    expect(within(row).getByTestId("source-name").textContent).toBe("prod");
    expect(within(row).getByTestId("source-state").textContent).toBe("unreachable");
    await fireEvent.click(within(row).getByRole("button", { name: "Check now" }));
    await waitFor(() => expect(checked).toBe("prod"));
    expect(await within(row).findByText("reading prod now")).toBeTruthy();
  });
});
