// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import IncidentDetail from "./IncidentDetail.svelte";
import { FakeEngine, fail, incident, notes } from "../test/fakeEngine";
import { localTime, localTimeWithSeconds } from "../lib/format";
import type { DraftRequest, IncidentNotes, TimelineEvent } from "../lib/types";

afterEach(async () => {
  cleanup();
  await FakeEngine.stop();
});

const detail = { incident: incident(3), timeline: [], evidence: {} };
const open = () => render(IncidentDetail, { detail, now: new Date("2026-11-30T09:00:00Z"), onback: () => {} });

const type = (testId: string, value: string, n = 0) =>
  fireEvent.input(screen.getAllByTestId(testId)[n], { target: { value } });
const choose = (testId: string, value: string) => fireEvent.change(screen.getByTestId(testId), { target: { value } });
const value = (testId: string) => (screen.getByTestId(testId) as HTMLInputElement | HTMLTextAreaElement).value;
const here = Intl.DateTimeFormat().resolvedOptions().timeZone;

describe("the founder's notes", () => {
  it("loads what was written, and saves the notes as typed without blank items", async () => {
    const engine = new FakeEngine();
    engine.notes[3] = notes({ cause: "a full disk", prevention: ["alert at 80 %"] });
    open();
    await waitFor(() => expect(value("note-cause")).toBe("a full disk"));
    expect(engine.called("notes")[0].args).toEqual({ id: 3 });

    await type("note-fix", "cleared old logs and restarted the database");
    await fireEvent.click(screen.getByTestId("add-prevention"));
    await fireEvent.click(screen.getByTestId("add-prevention"));
    await type("note-prevention", "rotate logs daily", 1);
    await type("note-impact", "the app would not load");
    await type("note-data-loss", "none");
    await fireEvent.click(screen.getByTestId("save-notes"));

    expect((await screen.findByTestId("notes-message")).textContent).toBe("Notes saved");
    expect(engine.called("save_notes")[0].args).toEqual({
      id: 3,
      notes: notes({
        cause: "a full disk", fix: "cleared old logs and restarted the database",
        prevention: ["alert at 80 %", "rotate logs daily"], impact: "the app would not load", data_loss: "none",
      }),
    });
    expect(screen.getAllByTestId("note-prevention")).toHaveLength(2);
  });

  it("removes a prevention item", async () => {
    const engine = new FakeEngine();
    engine.notes[3] = notes({ prevention: ["a second phone", "alert at 80 %"] });
    open();
    await waitFor(() => expect(screen.getAllByTestId("note-prevention")).toHaveLength(2));
    await fireEvent.click(screen.getAllByTestId("remove-prevention")[0]);
    await fireEvent.click(screen.getByTestId("save-notes"));
    await screen.findByTestId("notes-message");
    expect((engine.called("save_notes")[0].args.notes as IncidentNotes).prevention).toEqual(["alert at 80 %"]);
  });

  it("shows why the notes could not be saved", async () => {
    new FakeEngine({ save_notes: () => fail("The database is locked.") });
    open();
    await fireEvent.click(await screen.findByTestId("save-notes"));
    expect((await screen.findByTestId("notes-failure")).textContent).toBe("The database is locked.");
    expect(screen.queryByTestId("notes-message")).toBeNull();
  });
});

describe("writing to a customer", () => {
  it("writes an apology for a named customer in their time zone and lists what is still to fill in", async () => {
    const engine = new FakeEngine();
    open();
    expect(value("draft-tz")).toBe(here);
    await type("draft-customer", "Carmen");
    await fireEvent.click(screen.getByTestId("write-draft"));

    await waitFor(() => expect(value("draft-body")).toContain("Hi Carmen,"));
    expect(engine.called("draft")[0].args).toEqual({
      id: 3, request: { kind: "apology", tone: "personal", customer: "Carmen", tz: here },
    });
    expect(value("draft-subject")).toBe("I'm sorry about Acme on Monday 30 November 2026");
    expect(screen.getByTestId("draft-missing").textContent).toContain("Still to fill in:");
    expect(screen.getAllByTestId("missing-item").map((m) => m.textContent)).toEqual(["what caused it, in plain words"]);
  });

  it("shows no subject for status page updates and takes the tone chosen", async () => {
    const engine = new FakeEngine();
    open();
    await choose("draft-kind", "status");
    await choose("draft-tone", "formal");
    await fireEvent.click(screen.getByTestId("write-draft"));
    await waitFor(() => expect(value("draft-body")).toContain("written formal"));
    expect((engine.called("draft")[0].args.request as DraftRequest).kind).toBe("status");
    expect(screen.queryByTestId("draft-subject")).toBeNull();
  });

  it("copies the subject and the body as the founder edited them", async () => {
    const engine = new FakeEngine();
    open();
    await type("draft-customer", "Carmen");
    await fireEvent.click(screen.getByTestId("write-draft"));
    await waitFor(() => expect(value("draft-body")).toContain("Hi Carmen,"));
    await type("draft-body", "Hi Carmen,\n\nI slept through the alarm. I'm sorry.\n");
    expect(screen.queryByTestId("draft-missing")).toBeNull(); // written over the gap
    await fireEvent.click(screen.getByTestId("copy-draft"));

    expect((await screen.findByTestId("draft-message")).textContent).toBe("Copied");
    expect(engine.called("copy_text")[0].args).toEqual({
      text: "Subject: I'm sorry about Acme on Monday 30 November 2026\n\nHi Carmen,\n\nI slept through the alarm. I'm sorry.\n",
    });

    await fireEvent.click(screen.getByTestId("mail-draft"));
    await waitFor(() => expect(engine.called("open_mail")).toHaveLength(1));
    expect(engine.called("open_mail")[0].args).toEqual({
      subject: "I'm sorry about Acme on Monday 30 November 2026",
      body: "Hi Carmen,\n\nI slept through the alarm. I'm sorry.\n",
    });
  });

  it("keeps this version with the incident and opens it again from the list", async () => {
    const engine = new FakeEngine();
    open();
    await type("draft-customer", "Carmen");
    await fireEvent.click(screen.getByTestId("write-draft"));
    await waitFor(() => expect(value("draft-body")).toContain("Hi Carmen,"));
    await type("draft-body", "Hi Carmen, my version.\n");
    await fireEvent.click(screen.getByTestId("save-draft"));

    const kept = await screen.findByTestId("saved-draft");
    expect(kept.textContent).toContain("Apology to a customer · personal · Carmen");
    expect(engine.called("save_draft")[0].args).toEqual({
      id: 3,
      request: { kind: "apology", tone: "personal", customer: "Carmen", tz: here },
      subject: "I'm sorry about Acme on Monday 30 November 2026",
      body: "Hi Carmen, my version.\n",
    });

    await type("draft-body", "something else entirely\n");
    await fireEvent.click(kept);
    expect(value("draft-body")).toBe("Hi Carmen, my version.\n");
  });

  it("shows why a draft could not be written", async () => {
    new FakeEngine({
      draft: () => fail('"Mars/Olympus" is not a time zone Klaxon knows; use an IANA name like Europe/Berlin'),
    });
    open();
    await type("draft-tz", "Mars/Olympus");
    await fireEvent.click(screen.getByTestId("write-draft"));
    expect((await screen.findByTestId("draft-failure")).textContent).toContain('"Mars/Olympus" is not a time zone');
    expect(screen.queryByTestId("draft-body")).toBeNull();
  });

  it("writes an untouched draft again once the notes are saved, filling the gap", async () => {
    const engine = new FakeEngine();
    open();
    await fireEvent.click(await screen.findByTestId("write-draft"));
    await screen.findByTestId("draft-body");
    expect(screen.getAllByTestId("missing-item").map((m) => m.textContent)).toContain("what caused it, in plain words");

    await type("note-cause", "a full disk");
    await fireEvent.click(screen.getByTestId("save-notes"));
    await waitFor(() => expect(value("draft-body")).toContain("What happened: a full disk."));
    expect(engine.called("draft")).toHaveLength(2);
    expect(screen.getAllByTestId("missing-item").map((m) => m.textContent)).not.toContain("what caused it, in plain words");
  });

  it("leaves the founder's edits alone when the notes change, and asks before writing over them", async () => {
    const engine = new FakeEngine();
    open();
    await fireEvent.click(await screen.findByTestId("write-draft"));
    await screen.findByTestId("draft-body");
    await type("draft-body", "My own words.\n");

    await fireEvent.click(screen.getByTestId("save-notes"));
    expect((await screen.findByTestId("draft-notice")).textContent).toContain("Your notes changed");
    expect(value("draft-body")).toBe("My own words.\n");

    await fireEvent.click(screen.getByTestId("write-draft"));
    expect(screen.getByTestId("draft-notice").textContent).toContain("replaces your edits");
    expect(engine.called("draft")).toHaveLength(1);
    await fireEvent.click(screen.getByTestId("write-draft"));
    await waitFor(() => expect(value("draft-body")).toContain("What happened"));
    expect(screen.queryByTestId("draft-notice")).toBeNull();
  });
});

describe("deliveries and the acknowledgement", () => {
  const now = new Date("2026-11-30T09:00:00Z");
  const at = (iso: string) => localTime(iso, now);

  it("lists each delivery with its outcome, as text, and says the phone acknowledged", async () => {
    new FakeEngine();
    const i = incident(3, { state: "acknowledged", acknowledged_via: "phone", acknowledged_at: "2026-11-30T02:14:00Z" });
    const timeline: TimelineEvent[] = [
      { at: "2026-11-30T02:07:00Z", kind: "alarm_started", detail: "" },
      { at: "2026-11-30T02:09:00Z", kind: "notified", detail: "phone (ntfy) notified" },
      { at: "2026-11-30T02:11:00Z", kind: "delivery_failed", detail: "team (slack): HTTP 401 <b>no</b>; trying again" },
      { at: "2026-11-30T02:14:00Z", kind: "acknowledged", detail: "via phone" },
    ];
    render(IncidentDetail, { detail: { incident: i, timeline, evidence: {} }, now, onback: () => {} });
    const rows = screen.getAllByTestId("delivery");
    expect(rows.map((r) => r.textContent?.replace(/\s+/g, " ").trim())).toEqual([
      `${localTimeWithSeconds("2026-11-30T02:09:00Z", now)} Delivered phone (ntfy) notified`,
      `${localTimeWithSeconds("2026-11-30T02:11:00Z", now)} Failed team (slack): HTTP 401 <b>no</b>; trying again`,
    ]);
    expect(rows[1].querySelector("b")).toBeNull();
    expect(screen.getByTestId("acknowledged").textContent).toBe(`from the phone at ${at("2026-11-30T02:14:00Z")}`);
  });

  it("says when no channel was told and nobody acknowledged", async () => {
    new FakeEngine();
    open();
    expect(screen.getByTestId("no-deliveries").textContent).toContain("No channel was notified");
    expect(screen.getByTestId("acknowledged").textContent).toBe("not acknowledged");
  });
});

describe("an incident from a source", () => {
  const now = new Date("2026-11-30T09:00:00Z");

  it("names the source and shows the alert's labels as a table of text", async () => {
    new FakeEngine();
    const i = incident(5, { monitor: "HighErrorRate", source: "prod-am", state: "ringing", resolved_at: null });
    const labels: [string, string][] = [
      ["alertname", "HighErrorRate"],
      ["severity", "page"],
      ["summary", "<img src=x onerror=alert(1)> 5xx above 2 %"],
    ];
    render(IncidentDetail, { detail: { incident: i, timeline: [], evidence: { labels } }, now, onback: () => {} });

    expect(screen.getByTestId("incident-source").textContent).toBe("prod-am");
    const rows = screen.getAllByTestId("evidence-label");
    expect(rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent))).toEqual(labels);
    expect(screen.getByTestId("evidence-labels").querySelector("img")).toBeNull();
    expect(screen.queryByText("The check kept no evidence.")).toBeNull();
  });

  it("shows no source and no labels for a monitor's incident", async () => {
    new FakeEngine();
    open();
    expect(screen.queryByTestId("incident-source")).toBeNull();
    expect(screen.queryByTestId("evidence-labels")).toBeNull();
    expect(screen.getByText("The check kept no evidence.")).toBeTruthy();
  });
});
