import { describe, expect, it } from "vitest";
import {
  clipboardText,
  defaultTimeZone,
  editableNotes,
  gapsIn,
  kindLabel,
  notesForSaving,
  requestOf,
  savedDraftLabel,
  stillToFill,
  usesCustomer,
} from "./drafts";
import type { IncidentNotes, SavedDraft } from "./types";

const empty: IncidentNotes = { cause: "", fix: "", prevention: [], impact: "", data_loss: "", offer: "" };

const kept = (over: Partial<SavedDraft> = {}): SavedDraft => ({
  id: 1, incident_id: 3, kind: "apology", tone: "personal", customer: "Carmen", tz: "Europe/Berlin",
  subject: "Sorry", body: "Hi Carmen\n", saved_at: "2026-11-30T09:00:00Z", ...over,
});

describe("the notes form", () => {
  it("starts an empty prevention list with one item to type in", () => {
    expect(editableNotes(empty).prevention).toEqual([""]);
  });

  it("edits a copy, so typing does not change the notes it was loaded from", () => {
    const loaded = { ...empty, prevention: ["a second phone"] };
    editableNotes(loaded).prevention.push("");
    expect(loaded.prevention).toEqual(["a second phone"]);
  });

  it("leaves out blank prevention items and trims the rest before saving", () => {
    const form = { ...empty, cause: "a full disk", prevention: ["  alert at 80 %  ", "", "   "] };
    expect(notesForSaving(form)).toEqual({ ...empty, cause: "a full disk", prevention: ["alert at 80 %"] });
  });
});

describe("the kinds of draft", () => {
  // An unknown kind no longer type-checks (Record<DraftKind, …>), so none is tried here.
  it("names each kind in plain words", () => {
    expect(kindLabel("apology")).toBe("Apology to a customer");
    expect(kindLabel("reply")).toBe("Short reply");
    expect(kindLabel("status")).toBe("Status page updates");
    expect(kindLabel("postmortem")).toBe("Postmortem");
  });

  it("uses the customer's name only in the emails", () => {
    expect(usesCustomer("apology")).toBe(true);
    expect(usesCustomer("reply")).toBe(true);
    expect(usesCustomer("status")).toBe(false);
    expect(usesCustomer("postmortem")).toBe(false);
  });

  it("starts from this computer's time zone", () => {
    expect(defaultTimeZone()).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });
});

describe("what is still to fill in", () => {
  it("finds each gap once, in the order it appears", () => {
    expect(gapsIn("Hi [add: the customer's name],\n[add: what caused it] and [add: the customer's name]")).toEqual([
      "the customer's name",
      "what caused it",
    ]);
  });

  it("drops a gap from the list once the founder has written over it", () => {
    const missing = ["the customer's name", "what caused it, in plain words"];
    const body = "Hi Carmen,\nWhat happened: [add: what caused it, in plain words].\n";
    expect(stillToFill(missing, "", body)).toEqual(["what caused it, in plain words"]);
  });

  it("counts a gap left in the subject too", () => {
    expect(stillToFill(["your product's name"], "Sorry about [add: your product's name]", "Hi\n")).toEqual([
      "your product's name",
    ]);
  });
});

describe("copying a draft", () => {
  it("puts the subject on the first line, then a blank line, then the body", () => {
    expect(clipboardText("I'm sorry about Acme", "Hi Carmen,\n")).toBe("Subject: I'm sorry about Acme\n\nHi Carmen,\n");
  });

  it("copies only the body when there is no subject", () => {
    expect(clipboardText("", "Investigating — 2:07 am\n")).toBe("Investigating — 2:07 am\n");
    expect(clipboardText("  ", "Resolved\n")).toBe("Resolved\n");
  });
});

describe("kept versions", () => {
  it("remembers what each was written for", () => {
    expect(requestOf(kept())).toEqual({ kind: "apology", tone: "personal", customer: "Carmen", tz: "Europe/Berlin" });
  });

  it("reads as its kind, tone and customer, leaving out a customer nobody named", () => {
    expect(savedDraftLabel(kept())).toBe("Apology to a customer · personal · Carmen");
    expect(savedDraftLabel(kept({ kind: "status", tone: "formal", customer: "" }))).toBe("Status page updates · formal");
  });
});
