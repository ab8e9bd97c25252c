// The monitor editor's logic: a new form, what each kind asks for, and where problems show.
import type { CheckOutcome, FieldProblem, MonitorForm, MonitorKind } from "./types";

// The kinds offered are the generated MonitorKind, one placeholder each, so a kind added in
// Rust is a compile error here until it has one.
const PLACEHOLDERS: Record<MonitorKind, string> = {
  http: "https://api.example.com/health",
  tcp: "db.example.com:5432",
  dns: "example.com",
  tls: "example.com:443",
};

export const KINDS = Object.keys(PLACEHOLDERS) as MonitorKind[];


/** An example target for the kind chosen, shown greyed in the empty field. */
export function targetPlaceholder(kind: MonitorKind): string {
  return PLACEHOLDERS[kind];
}

/** A blank form for a new monitor: HTTP, every 30 s, 10 s to answer. */
export function newMonitorForm(): MonitorForm {
  return {
    original_name: null,
    name: "",
    kind: "http",
    target: "",
    every: "30s",
    timeout: "10s",
    expect_status: "",
    body_contains: "",
    header_name: "",
    header_value: "",
  };
}

/** A copy of a saved monitor to edit; `original_name` is its name as the editor opened. */
export function editMonitorForm(m: MonitorForm): MonitorForm {
  return { ...m, original_name: m.name };
}

const HTTP_ONLY = ["expect_status", "body_contains", "header_name", "header_value"] as const;
const COMMON = ["name", "kind", "target", "every", "timeout"] as const;

/** Whether the form is for an HTTP check, the one kind with more fields. */
export function isHttp(kind: MonitorKind): boolean {
  return kind === "http";
}

/** The fields the editor shows for a kind. */
export function visibleFields(kind: MonitorKind): string[] {
  return isHttp(kind) ? [...COMMON, ...HTTP_ONLY] : [...COMMON];
}

/** The form as it is sent: fields of HTTP alone are left empty for the other kinds. */
export function formToSend(form: MonitorForm): MonitorForm {
  const sent = { ...form };
  if (!isHttp(form.kind)) for (const f of HTTP_ONLY) sent[f] = "";
  return sent;
}

/** The messages for one field. */
export function problemsFor(problems: FieldProblem[], field: string): string[] {
  return problems.filter((p) => p.field === field).map((p) => p.message);
}

/** Problems about the whole form, or about a field the editor does not show: none goes unseen. */
export function generalProblems(problems: FieldProblem[], kind: MonitorKind): string[] {
  const shown = visibleFields(kind);
  return problems.filter((p) => !shown.includes(p.field)).map((p) => (p.field ? `${p.field}: ${p.message}` : p.message));
}

/** What "Check now" saw: "Up — 42 ms" or "Down — connection refused". */
export function outcomeText(o: CheckOutcome): string {
  return o.ok ? `Up — ${o.latency_ms} ms` : `Down — ${o.reason}`;
}
