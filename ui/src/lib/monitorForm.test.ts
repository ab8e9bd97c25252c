import { describe, expect, it } from "vitest";
import {
  editMonitorForm, formToSend, KINDS, generalProblems, newMonitorForm, outcomeText, problemsFor, targetPlaceholder, visibleFields,
} from "./monitorForm";
import type { MonitorForm } from "./types";

describe("the monitor editor", () => {
  it("starts a new monitor as HTTP, checked every 30 s with a 10 s timeout, and no original name", () => {
    const f = newMonitorForm();
    expect(f).toMatchObject({ original_name: null, kind: "http", every: "30s", timeout: "10s", name: "", target: "" });
  });

  it("remembers the name a monitor had when its editor opened", () => {
    const f = editMonitorForm({ ...newMonitorForm(), name: "api" });
    expect(f.original_name).toBe("api");
  });

  it("suggests a target that fits the kind", () => {
    expect(targetPlaceholder("http")).toBe("https://api.example.com/health");
    expect(targetPlaceholder("tcp")).toBe("db.example.com:5432");
    expect(targetPlaceholder("dns")).toBe("example.com");
    expect(targetPlaceholder("tls")).toBe("example.com:443");
  });

  it("shows status, body and header fields for HTTP only", () => {
    expect(visibleFields("http")).toContain("header_value");
    expect(visibleFields("tcp")).not.toContain("expect_status");
  });

  it("offers every kind Klaxon has", () => {
    expect(KINDS).toEqual(["http", "tcp", "dns", "tls"]);
  });

  it("does not send HTTP settings left in the form after switching to another kind", () => {
    const f: MonitorForm = { ...newMonitorForm(), kind: "tcp", expect_status: "200", header_name: "Authorization" };
    expect(formToSend(f)).toMatchObject({ kind: "tcp", expect_status: "", header_name: "" });
    expect(formToSend({ ...f, kind: "http" }).expect_status).toBe("200");
  });

  it("puts each problem next to its field and the rest at the top, so none is hidden", () => {
    const problems = [
      { field: "target", message: "needs a URL" },
      { field: "", message: "a monitor named api already exists" },
      { field: "expect_status", message: "not a status" },
    ];
    expect(problemsFor(problems, "target")).toEqual(["needs a URL"]);
    expect(problemsFor(problems, "name")).toEqual([]);
    expect(generalProblems(problems, "http")).toEqual(["a monitor named api already exists"]);
    expect(generalProblems(problems, "tcp")).toEqual(["a monitor named api already exists", "expect_status: not a status"]);
  });

  it("says what a check saw: the time it took when up, the reason when down", () => {
    expect(outcomeText({ ok: true, reason: "200 OK", latency_ms: 42 })).toBe("Up — 42 ms");
    expect(outcomeText({ ok: false, reason: "connection refused", latency_ms: 3 })).toBe("Down — connection refused");
  });
});
