// After the outage, the small rules away from the components: the notes as the form edits them
// and as the engine gets them, what each kind of draft is called, the time zone to start from,
// what is still to fill in, and the text Copy puts on the clipboard.
import type { DraftKind, DraftRequest, DraftTone, IncidentNotes, SavedDraft } from "./types";

// Records over the generated unions: a kind or tone added in Rust has no label until written
// here, and the compiler says so. The selects list them in this order.
const KIND_LABELS: Record<DraftKind, string> = {
  apology: "Apology to a customer",
  reply: "Short reply",
  status: "Status page updates",
  postmortem: "Postmortem",
};

const TONE_LABELS: Record<DraftTone, string> = {
  personal: "Personal",
  formal: "Formal",
};

const options = <T extends string>(labels: Record<T, string>) =>
  (Object.keys(labels) as T[]).map((value) => ({ value, label: labels[value] }));

export const KINDS: { value: DraftKind; label: string }[] = options(KIND_LABELS);
export const TONES: { value: DraftTone; label: string }[] = options(TONE_LABELS);

/** "apology" → "Apology to a customer". */
export function kindLabel(kind: DraftKind): string {
  return KIND_LABELS[kind];
}

/** The kinds written to one customer, where their name is used. */
export function usesCustomer(kind: DraftKind): boolean {
  return kind === "apology" || kind === "reply";
}

/** This computer's time zone (IANA name), or "" (the engine's UTC) when it cannot be told. */
export function defaultTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone ?? "";
  } catch {
    return "";
  }
}

/** The notes as the form edits them: a copy, with one empty prevention item to type in. */
export function editableNotes(notes: IncidentNotes): IncidentNotes {
  return { ...notes, prevention: notes.prevention.length ? [...notes.prevention] : [""] };
}

/** The notes as the engine should keep them: no blank prevention items (each would become a gap). */
export function notesForSaving(notes: IncidentNotes): IncidentNotes {
  return {
    cause: notes.cause,
    fix: notes.fix,
    prevention: notes.prevention.map((p) => p.trim()).filter((p) => p !== ""),
    impact: notes.impact,
    data_loss: notes.data_loss,
    offer: notes.offer,
  };
}

/** The `[add: …]` gaps in a text, each once, in order (as the engine finds them). */
export function gapsIn(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/\[add: ([^\]]*)\]/g)) {
    if (!found.includes(m[1])) found.push(m[1]);
  }
  return found;
}

/** Of the gaps a draft came with, those still in the text as edited. */
export function stillToFill(missing: string[], subject: string, body: string): string[] {
  const text = `${subject}\n${body}`;
  return missing.filter((m) => text.includes(`[add: ${m}]`));
}

/** What Copy puts on the clipboard: the subject as a first line when there is one. */
export function clipboardText(subject: string, body: string): string {
  return subject.trim() ? `Subject: ${subject}\n\n${body}` : body;
}

/** The request a kept version was written for. */
export function requestOf(d: SavedDraft): DraftRequest {
  return { kind: d.kind, tone: d.tone, customer: d.customer, tz: d.tz };
}

/** A kept version in a few words: "Apology to a customer · personal · Carmen". */
export function savedDraftLabel(d: SavedDraft): string {
  return [kindLabel(d.kind), d.tone, d.customer.trim()].filter((s) => s !== "").join(" · ");
}
