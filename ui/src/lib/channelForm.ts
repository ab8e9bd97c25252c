// The channel editor's and the escalation ladder's logic: which fields each kind asks for,
// where a credential goes (the keyring, named in the file as {secret:NAME}), and the ladder
// read aloud ("after 3 minutes, notify phone").
import type { ChannelForm, ChannelKind, EscalationForm, FieldProblem, StepForm } from "./types";

/** The form's text fields (`starttls` is a checkbox of its own). */
export type TextField = Exclude<keyof ChannelForm, "kind" | "starttls">;

export interface FieldSpec {
  key: TextField;
  label: string;
  placeholder: string;
  hint?: string;
  /** A credential: the field holds {secret:NAME}, and its value goes to the keyring. */
  secret?: boolean;
}

const url = (placeholder: string): FieldSpec => ({ key: "url", label: "URL", placeholder });
const webhookUrl: FieldSpec = {
  key: "url", label: "Webhook URL", placeholder: "{secret:team-hook}", secret: true,
  hint: "The URL is the credential: it is kept in the keyring.",
};

// A Record over the generated union: a kind added in Rust is a compile error here until the
// editor knows its fields. Keep in step with `channel_fields` in config/channel_form.rs.
const FIELDS: Record<ChannelKind, FieldSpec[]> = {
  ntfy: [
    { key: "server", label: "Server", placeholder: "https://ntfy.sh", hint: "Empty for ntfy.sh." },
    { key: "topic", label: "Topic", placeholder: "klaxon-sam-7f3k", hint: "The topic your phone subscribes to." },
    { key: "ack_topic", label: "Acknowledge topic", placeholder: "klaxon-sam-7f3k-ack", hint: "Adds an Acknowledge button; empty for none." },
    { key: "token", label: "Access token", placeholder: "{secret:ntfy-token}", hint: "Only for a protected topic.", secret: true },
  ],
  pushover: [
    { key: "user", label: "User key", placeholder: "uQiRzpo4DXghDmr9QzzfQu27cmVRsG" },
    { key: "token", label: "API token", placeholder: "{secret:pushover-token}", secret: true },
    { key: "api", label: "API", placeholder: "https://api.pushover.net", hint: "Empty for Pushover's own." },
  ],
  webhook: [
    url("https://example.com/klaxon"),
    { key: "secret", label: "Signing secret", placeholder: "{secret:hook-secret}", hint: "Signs each body (HMAC-SHA256); empty for unsigned.", secret: true },
  ],
  slack: [webhookUrl],
  discord: [webhookUrl],
  email: [
    { key: "host", label: "SMTP server", placeholder: "smtp.example.com" },
    { key: "port", label: "Port", placeholder: "587" },
    { key: "username", label: "User name", placeholder: "klaxon@example.com" },
    { key: "password", label: "Password", placeholder: "{secret:smtp-password}", secret: true },
    { key: "from", label: "From", placeholder: "klaxon@example.com" },
    { key: "to", label: "To", placeholder: "me@example.com, oncall@example.com", hint: "One or more addresses, separated by commas." },
  ],
};

export const CHANNEL_KINDS = Object.keys(FIELDS) as ChannelKind[];

/** The fields the editor shows for a kind, in order. */
export function channelFields(kind: ChannelKind): FieldSpec[] {
  return FIELDS[kind];
}

/** Whether the kind has the STARTTLS checkbox. */
export const hasStarttls = (kind: ChannelKind) => kind === "email";

/** A blank form for a new channel. */
export function newChannelForm(kind: ChannelKind = "ntfy"): ChannelForm {
  return {
    name: "", kind, server: "", topic: "", ack_topic: "", token: "", user: "", api: "", url: "", secret: "",
    host: "", port: "", starttls: true, username: "", password: "", from: "", to: "",
  };
}

/** The form as it is sent: the fields of other kinds left empty. */
export function channelToSend(form: ChannelForm): ChannelForm {
  const sent = { ...newChannelForm(form.kind), name: form.name, starttls: form.starttls };
  for (const f of FIELDS[form.kind]) sent[f.key] = form[f.key];
  return sent;
}

/** NAME of a `{secret:NAME}`, or null when the text is not exactly one reference. */
export function secretName(text: string): string | null {
  const m = /^\{secret:([^}]*)\}$/.exec(text.trim());
  return m ? m[1].trim() : null;
}

/** The reference the editor proposes for a credential: `{secret:phone-token}`. */
export function suggestedSecret(channel: string, field: TextField): string {
  const base = channel.trim().replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^-+|-+$/g, "") || "channel";
  return `{secret:${base}-${field}}`.slice(0, 73);
}

/** Problems about the whole form, or about a field the kind does not show: none goes unseen. */
export function otherProblems(problems: FieldProblem[], kind: ChannelKind): string[] {
  const shown = ["name", "kind", ...(hasStarttls(kind) ? ["starttls"] : []), ...FIELDS[kind].map((f) => f.key)];
  return problems.filter((p) => !shown.includes(p.field)).map((p) => (p.field ? `${p.field}: ${p.message}` : p.message));
}

// The ladder in words.

const UNITS: Array<[RegExp, string]> = [
  [/^(ms|msecs?|milliseconds?)$/, "millisecond"],
  [/^(s|secs?|seconds?)$/, "second"],
  [/^(m|mins?|minutes?)$/, "minute"],
  [/^(h|hrs?|hours?)$/, "hour"],
  [/^(d|days?)$/, "day"],
  [/^(w|weeks?)$/, "week"],
];

/**
 * A duration as written in klaxon.toml, read aloud in the user's own units: "3m" → "3 minutes",
 * "1h 30m" → "1 hour 30 minutes"; null for "0s" (at once). Text it cannot read comes back as it
 * is, quoted, so the sentence still shows what the file says.
 */
export function spokenDuration(text: string): string | null {
  const parts = [...text.trim().toLowerCase().matchAll(/(\d+)\s*([a-z]+)/g)];
  const rest = text.trim().toLowerCase().replace(/(\d+)\s*([a-z]+)/g, "").replace(/[\s,]/g, "");
  if (parts.length === 0 || rest !== "") return `"${text.trim()}"`;
  const words: string[] = [];
  for (const [, n, unit] of parts) {
    const name = UNITS.find(([re]) => re.test(unit))?.[1];
    if (!name) return `"${text.trim()}"`;
    if (Number(n) !== 0) words.push(`${Number(n)} ${name}${Number(n) === 1 ? "" : "s"}`);
  }
  return words.length ? words.join(" ") : null;
}

/** "phone", "phone and team", "phone, team and ops". */
function whom(names: string[]): string {
  if (names.length <= 1) return names[0] ?? "nobody";
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** One step in words: "at once, ring the siren", "after 3 minutes, notify phone and team". */
export function stepWords(step: StepForm): string {
  const when = spokenDuration(step.after);
  const named = step.notify.map((n) => n.trim()).filter((n) => n !== "");
  const others = named.filter((n) => n !== "siren");
  const siren = others.length !== named.length;
  const verb = siren
    ? others.length ? `ring the siren and notify ${whom(others)}` : "ring the siren"
    : `notify ${whom(others)}`;
  return when === null ? `at once, ${verb}` : `after ${when}, ${verb}`;
}

/** The whole ladder in sentences, the repeats included. */
export function ladderWords(e: EscalationForm): string[] {
  if (e.steps.length === 0) return ["The siren rings on this machine, and no one else is told."];
  const lines = e.steps.map(stepWords);
  const again = e.repeat_every.trim() && spokenDuration(e.repeat_every);
  if (again) lines.push(`while nobody acknowledges, notify the channels again every ${again}`);
  const timeout = e.ack_timeout.trim() && spokenDuration(e.ack_timeout);
  if (timeout) lines.push(`acknowledged but still down after ${timeout}: ring and climb the ladder again`);
  return lines;
}

/** The problems of one field of the ladder, like `steps[2].after` or `repeat_every`. */
export function ladderProblems(problems: FieldProblem[], field: string): string[] {
  return problems.filter((p) => p.field === field).map((p) => p.message);
}

/** The ladder's problems no field shows (`steps`, or elsewhere in the file). */
export function ladderGeneralProblems(problems: FieldProblem[], steps: number): string[] {
  const shown = new Set(["repeat_every", "ack_timeout"]);
  for (let i = 1; i <= steps; i++) for (const f of ["after", "notify"]) shown.add(`steps[${i}].${f}`);
  return problems.filter((p) => !shown.has(p.field)).map((p) => p.message);
}

/** A first ladder: the siren at once (Klaxon's alarm always rings first), then the channel. */
export function firstLadder(channel: string | undefined): EscalationForm {
  const steps: StepForm[] = [{ after: "0s", notify: ["siren"] }];
  steps.push({ after: "3m", notify: channel ? [channel] : [] });
  return { steps, repeat_every: "", ack_timeout: "" };
}
