// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import MaintenanceSettings from "./MaintenanceSettings.svelte";
import { FakeEngine, fail } from "../test/fakeEngine";
import type { MaintenanceEntry } from "../lib/types/MaintenanceEntry";
import type { MaintenanceForm } from "../lib/types/MaintenanceForm";

afterEach(async () => {
  cleanup();
  await FakeEngine.stop();
});

const NOW = new Date(2026, 10, 28, 12, 0);
const sunday: MaintenanceEntry = {
  form: { cron: "0 2 * * sun", duration: "1h", timezone: "Europe/Berlin", monitors: [] },
  when: "At 02:00 on Sunday",
  next_start: new Date(2026, 10, 29, 2, 0).toISOString(),
  on_until: null,
};
const texts = (testId: string) => screen.queryAllByTestId(testId).map((e) => e.textContent?.trim());
const type = (testId: string, value: string) => fireEvent.input(screen.getByTestId(testId), { target: { value } });

/** A fake whose file holds `file`; save_maintenance adds or replaces in it. */
function withFile(file: MaintenanceEntry[]) {
  const engine = new FakeEngine({ maintenance: () => structuredClone(file) });
  engine.on("save_maintenance", (a) => {
    const form = a.form as MaintenanceForm;
    const entry = { form, when: `cron ${form.cron}`, next_start: null, on_until: null };
    if (a.position === null) file.push(entry);
    else file[(a.position as number) - 1] = entry;
    return "Maintenance window saved; saved to /home/me/.config/klaxon/klaxon.toml";
  });
  engine.on("delete_maintenance", (a) => {
    file.splice((a.position as number) - 1, 1);
    return "Maintenance window deleted";
  });
  return engine;
}

describe("maintenance windows in Settings", () => {
  it("shows each window in words with what it covers and when it next starts", async () => {
    withFile([sunday]);
    render(MaintenanceSettings, { monitors: ["API", "Database"], now: NOW });
    await waitFor(() => expect(texts("maintenance")).toHaveLength(1));
    const row = texts("maintenance")[0] ?? "";
    expect(row).toContain("At 02:00 on Sunday, for 1h");
    expect(row).toContain("every monitor");
    expect(row).toContain("Europe/Berlin");
    expect(texts("maintenance-next")).toEqual(["Next: 29 Nov 02:00"]);
  });

  it("says a window that is on now and until when", async () => {
    withFile([{ ...sunday, on_until: new Date(2026, 10, 28, 13, 0).toISOString() }]);
    render(MaintenanceSettings, { monitors: [], now: NOW });
    await waitFor(() => expect(texts("maintenance-on")).toEqual(["On now, until 13:00"]));
  });

  it("adds a window for the ticked monitors only", async () => {
    const file: MaintenanceEntry[] = [];
    const engine = withFile(file);
    render(MaintenanceSettings, { monitors: ["API", "Database"], now: NOW });
    await waitFor(() => expect(screen.getByTestId("no-maintenance")).toBeTruthy());
    await fireEvent.click(screen.getByTestId("add-maintenance"));
    await type("maintenance-cron", "0 4 * * *");
    await type("maintenance-duration", "30m");
    await fireEvent.click(screen.getAllByTestId("maintenance-monitor")[1]);
    await fireEvent.click(screen.getByTestId("save-maintenance"));
    await waitFor(() => expect(texts("maintenance-message")[0]).toContain("Maintenance window saved"));
    expect(engine.called("save_maintenance")[0].args).toEqual({
      position: null,
      form: { cron: "0 4 * * *", duration: "30m", timezone: "", monitors: ["Database"] },
    });
    await waitFor(() => expect(texts("maintenance")[0]).toContain("Database"));
  });

  it("keeps the form open with the file's words when a field is wrong", async () => {
    const engine = withFile([sunday]);
    engine.on("save_maintenance", () => fail("timezone: \"Mars/Olympus\" is not a time zone"));
    render(MaintenanceSettings, { monitors: ["API"], now: NOW });
    await waitFor(() => expect(texts("maintenance")).toHaveLength(1));
    await fireEvent.click(screen.getByTestId("edit-maintenance"));
    await type("maintenance-timezone", "Mars/Olympus");
    await fireEvent.click(screen.getByTestId("save-maintenance"));
    await waitFor(() => expect(texts("maintenance-failure")[0]).toContain("timezone:"));
    expect(screen.getByTestId("maintenance-form")).toBeTruthy();
    expect(engine.called("save_maintenance")[0].args.position).toBe(1);
  });

  it("deletes a window only after asking", async () => {
    const engine = withFile([sunday]);
    render(MaintenanceSettings, { monitors: [], now: NOW });
    await waitFor(() => expect(texts("maintenance")).toHaveLength(1));
    await fireEvent.click(screen.getByTestId("delete-maintenance"));
    expect(engine.called("delete_maintenance")).toHaveLength(0);
    await fireEvent.click(screen.getByTestId("confirm-delete-maintenance"));
    await waitFor(() => expect(texts("maintenance")).toHaveLength(0));
    expect(engine.called("delete_maintenance")[0].args).toEqual({ position: 1 });
  });
});
