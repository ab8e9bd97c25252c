// A fake engine behind the window's commands for the component tests: answers each command
// from plain data the test sets, records what was called, and emits `status` events.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import type { InvokeArgs } from "@tauri-apps/api/core";
import type {
  ChannelForm, ChannelSettings, Draft, DraftRequest, IncidentNotes, IncidentView, MonitorState, MonitorView, SavedDraft,
  Settings, Slot, SourceView, Status,
} from "../lib/types";

export type Handler = (args: Record<string, unknown>) => unknown;

export function monitor(name: string, state: MonitorState = "up", over: Partial<MonitorView> = {}): MonitorView {
  return { name, state, last_checked: null, latency_ms: 42, reason: null, target: `https://${name}.example.com`, ...over };
}

export function incident(id: number, over: Partial<IncidentView> = {}): IncidentView {
  return {
    id, monitor: "api", source: null, state: "resolved", opened_at: "2026-11-30T02:07:00Z", acknowledged_at: null,
    resolved_at: "2026-11-30T02:20:00Z", first_failure_at: "2026-11-30T02:06:00Z", recovered_at: null,
    acknowledged_via: null, snoozed_until: null, time_to_acknowledge_s: null, time_to_recover_s: null,
    reason: "connection refused", ...over,
  };
}

/** A `[[source]]` as `status` shows it: a reachable Alertmanager with nothing firing unless told. */
export function source(name: string, over: Partial<SourceView> = {}): SourceView {
  return { name, kind: "alertmanager", state: "reachable", reason: null, last_read: null, firing: 0, ...over };
}

/** A status as the app sends it. `overall` is Rust's to decide (`Status::overall`), so a test
 * that builds an incident or a down monitor says which headline goes with it. */
export function status(over: Partial<Status> = {}): Status {
  return { overall: "nothing_configured", monitors: [], incidents: [], blind: false, live: true, faults: [], ...over };
}

export function settings(over: Partial<Settings> = {}): Settings {
  return {
    config_path: "/home/me/.config/klaxon/klaxon.toml",
    log_path: "/home/me/.local/share/klaxon/klaxon.log",
    monitors: [],
    alarm: {
      sound: "klaxon", start_volume: 0.3, full_volume_after: "1m", harsh_after: "3m",
      awake_check: true, stop_on_recovery: true, raise_system_volume: false,
    },
    witnesses: ["1.1.1.1:53"],
    secrets: [],
    launch_at_login: false,
    ...over,
  };
}

/** A channel's form as klaxon.toml would give it: an ntfy one unless told. */
export function channelForm(name: string, over: Partial<ChannelForm> = {}): ChannelForm {
  return {
    name, kind: "ntfy", server: "", topic: `klaxon-${name}`, ack_topic: "", token: "", user: "", api: "", url: "",
    secret: "", host: "", port: "", starttls: true, username: "", password: "", from: "", to: "", ...over,
  };
}

/** The channels and ladder in the file: none, and no `[escalation]`, unless told. */
export function channelSettings(over: Partial<ChannelSettings> = {}): ChannelSettings {
  return { channels: [], escalation: { steps: [], repeat_every: "", ack_timeout: "" }, ...over };
}

export const bar = (...runs: Array<[number, Slot]>): Slot[] => runs.flatMap(([n, s]) => Array.from({ length: n }, () => s));

export function notes(over: Partial<IncidentNotes> = {}): IncidentNotes {
  return { cause: "", fix: "", prevention: [], impact: "", data_loss: "", offer: "", ...over };
}

/** A short stand-in for the engine's drafts: the request's kind, tone and customer, and the
 * notes' cause, each as an `[add: …]` gap while unknown. */
export function fakeDraft(request: DraftRequest, n: IncidentNotes = notes()): Draft {
  const gap = (text: string, what: string) => text.trim() || `[add: ${what}]`;
  const email = request.kind === "apology" || request.kind === "reply";
  const subject = email ? "I'm sorry about Acme on Monday 30 November 2026" : "";
  const body =
    (email ? `Hi ${gap(request.customer, "the customer's name")},\n\n` : "") +
    `Acme was down from 2:06 am to 2:20 am (${request.tz || "UTC"}), written ${request.tone}.\n` +
    `What happened: ${gap(n.cause, "what caused it, in plain words")}.\n`;
  const missing = [...`${subject}\n${body}`.matchAll(/\[add: ([^\]]*)\]/g)].map((m) => m[1]);
  return { subject, body, missing, warnings: [] };
}

/** A rejection the way the app's commands reject. */
export const fail = (message: string) => {
  throw { code: "failed", message };
};

export class FakeEngine {
  calls: Array<{ cmd: string; args: Record<string, unknown> }> = [];
  /** Notes by incident id, and the kept drafts (newest first), as the fake stores them. */
  notes: Record<number, IncidentNotes> = {};
  kept: SavedDraft[] = [];
  handlers: Record<string, Handler> = {
    status: () => status(),
    day_bars: () => [],
    uptime: () => [],
    months: () => ({ months: [] }),
    history: () => [],
    settings: () => settings(),
    validate_monitor: () => [],
    notes: (a) => this.notes[a.id as number] ?? notes(),
    save_notes: (a) => (this.notes[a.id as number] = structuredClone(a.notes as IncidentNotes)),
    draft: (a) => fakeDraft(a.request as DraftRequest, this.notes[a.id as number]),
    save_draft: (a) => {
      const request = a.request as DraftRequest;
      const saved: SavedDraft = {
        id: this.kept.length + 1, incident_id: a.id as number, ...request, subject: a.subject as string,
        body: a.body as string, saved_at: `2026-11-30T09:0${this.kept.length}:00Z`,
      };
      this.kept.unshift(saved);
      return saved;
    },
    drafts: (a) => this.kept.filter((d) => d.incident_id === a.id),
    copy_text: () => "Copied",
    open_mail: () => "Opened in your mail app",
    channels: () => [],
    maintenance: () => [],
    channel_settings: () => channelSettings(),
    validate_channel: () => [],
    validate_escalation: () => [],
    test_channel: () => "The test message was delivered. Check that it reached you.",
    first_run_due: () => false,
  };

  constructor(handlers: Record<string, Handler> = {}) {
    Object.assign(this.handlers, handlers);
    mockIPC(
      (cmd: string, payload?: InvokeArgs) => {
        const args = (payload ?? {}) as Record<string, unknown>;
        this.calls.push({ cmd, args });
        const h = this.handlers[cmd];
        if (!h) throw { code: "unknown", message: `no fake for ${cmd}` };
        return h(args);
      },
      { shouldMockEvents: true },
    );
  }

  on(cmd: string, h: Handler) {
    this.handlers[cmd] = h;
  }

  called(cmd: string) {
    return this.calls.filter((c) => c.cmd === cmd);
  }

  emitStatus(s: Status) {
    return emit("status", s);
  }

  /** As the window's process does when the engine stops answering. */
  emitEngineLost(reason: string) {
    return emit("engine-lost", reason);
  }

  /** After the components were unmounted: their `unlisten` runs a moment later, on the fake. */
  static async stop() {
    await new Promise((resolve) => setTimeout(resolve, 0));
    clearMocks();
  }
}
