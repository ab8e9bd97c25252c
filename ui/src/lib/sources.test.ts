import { describe, expect, it } from "vitest";
import { firingText, lastReadText, sourceKindLabel, sourceStateLabel } from "./sources";
import type { SourceView } from "./types";

const source = (over: Partial<SourceView> = {}): SourceView => ({
  name: "prod-am", kind: "alertmanager", state: "reachable", reason: null, last_read: null, firing: 0, ...over,
});

describe("a source in words", () => {
  it("names each kind of monitoring as its makers spell it", () => {
    expect(sourceKindLabel("alertmanager")).toBe("Alertmanager");
    expect(sourceKindLabel("uptime_kuma")).toBe("Uptime Kuma");
    expect(sourceKindLabel("healthchecks")).toBe("Healthchecks");
    expect(sourceKindLabel("gatus")).toBe("Gatus");
    expect(sourceKindLabel("ntfy")).toBe("ntfy");
  });

  it("says a source not read yet is not read yet, rather than unknown", () => {
    expect(sourceStateLabel("unknown")).toBe("not read yet");
    expect(sourceStateLabel("unreachable")).toBe("unreachable");
    expect(sourceStateLabel("reachable")).toBe("reachable");
  });

  it("counts the alerts firing in words", () => {
    expect(firingText(0)).toBe("no alerts firing");
    expect(firingText(1)).toBe("1 alert firing");
    expect(firingText(12)).toBe("12 alerts firing");
  });

  it("says how long ago it was read", () => {
    const now = new Date("2026-11-30T09:00:00Z");
    expect(lastReadText(source({ last_read: "2026-11-30T08:59:57Z" }), now)).toBe("read 3 s ago");
    expect(lastReadText(source({ last_read: "2026-11-30T08:55:00Z" }), now)).toBe("read 5 min ago");
    expect(lastReadText(source(), now)).toBe("never read");
  });
});
