// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import ImportSettings from "./ImportSettings.svelte";
import { FakeEngine } from "../test/fakeEngine";
import type { ImportReport } from "../lib/types/ImportReport";

afterEach(async () => {
  cleanup();
  await FakeEngine.stop();
});

const texts = (testId: string) => screen.queryAllByTestId(testId).map((e) => e.textContent?.trim());

/** What the core answers for Gatus's own config.yaml (see klaxon-core's import tests). */
function report(dryRun: boolean): ImportReport {
  return {
    source: "gatus",
    dry_run: dryRun,
    added: [
      { from: 'endpoints[1] "front-end"', name: "front-end", kind: "http", target: "https://twin.sh/health" },
      { from: 'endpoints[2] "back-end"', name: "back-end certificate", kind: "tls", target: "example.org:443" },
    ],
    skipped: [
      {
        from: 'endpoints[6] "icmp-ping"',
        name: "icmp-ping",
        reason: "unsupported",
        detail: "icmp:// checks have no Klaxon equivalent (Klaxon checks http(s), tcp, tls and dns)",
      },
    ],
    unmapped: [
      { from: 'endpoints[7] "check-domain-expiration"', field: 'condition "[DOMAIN_EXPIRATION] > 720h"', note: "has no Klaxon equivalent" },
      { from: 'endpoints[1] "<b>front-end</b>"', field: 'group "core"', note: "has no Klaxon equivalent" },
    ],
  };
}

async function pick(name: string, text: string) {
  const file = new File([text], name, { type: "application/yaml" });
  await fireEvent.change(screen.getByTestId("import-file"), { target: { files: [file] } });
}

describe("importing monitors", () => {
  it("shows the dry run with every unmapped field by name, then imports on request", async () => {
    const engine = new FakeEngine({});
    engine.on("import_monitors", (a) => report(a.dryRun as boolean));
    const onimported = vi.fn();
    render(ImportSettings, { onimported });

    await pick("config.yaml", "endpoints: []\n");
    await screen.findByTestId("import-preview");
    const first = engine.called("import_monitors")[0].args;
    expect(first).toEqual({ tool: "gatus", fileName: "config.yaml", text: "endpoints: []\n", dryRun: true });
    expect(screen.getByTestId("import-summary").textContent?.trim()).toBe("Would add 2 monitors.");
    expect(texts("import-skipped")).toEqual([
      'endpoints[6] "icmp-ping": icmp:// checks have no Klaxon equivalent (Klaxon checks http(s), tcp, tls and dns)',
    ]);
    expect(texts("import-unmapped")).toEqual([
      'endpoints[7] "check-domain-expiration": condition "[DOMAIN_EXPIRATION] > 720h" has no Klaxon equivalent',
      'endpoints[1] "<b>front-end</b>": group "core" has no Klaxon equivalent',
    ]);
    // Outside text is shown as text, never as markup.
    expect(screen.getByTestId("import-settings").querySelector("b")).toBeNull();
    expect(onimported).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByTestId("import-run"));
    expect((await screen.findByTestId("import-message")).textContent).toBe("Added 2 monitors from config.yaml.");
    expect(engine.called("import_monitors")[1].args.dryRun).toBe(false);
    expect(onimported).toHaveBeenCalledOnce();
  });

  it("says the app's error, with its line, for a malformed file and offers no import", async () => {
    const engine = new FakeEngine({});
    engine.on("import_monitors", () => {
      throw { code: "engine", message: "cannot import backup.json: line 3, column 19: it is not valid JSON: expected `,` or `}`" };
    });
    render(ImportSettings, { onimported: () => {} });
    await fireEvent.change(screen.getByTestId("import-tool"), { target: { value: "uptime-kuma" } });
    await pick("backup.json", '{"monitorList": [\n');
    expect((await screen.findByTestId("import-failure")).textContent).toContain("backup.json: line 3, column 19");
    expect(screen.queryByTestId("import-run")).toBeNull();
    await waitFor(() => expect(engine.called("import_monitors").at(-1)?.args.tool).toBe("uptime-kuma"));
  });

  it("does not read a file over 8 MiB", async () => {
    const engine = new FakeEngine({});
    render(ImportSettings, { onimported: () => {} });
    const big = new File(["x"], "huge.yaml");
    Object.defineProperty(big, "size", { value: 9 * 1024 * 1024 });
    await fireEvent.change(screen.getByTestId("import-file"), { target: { files: [big] } });
    expect((await screen.findByTestId("import-failure")).textContent).toContain("larger than 8 MiB");
    expect(engine.called("import_monitors")).toEqual([]);
  });
});
