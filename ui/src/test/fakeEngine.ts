// A fake engine behind the window's commands for the component tests: answers each command
// from plain data the test sets, records what was called, and emits `status` events.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import type { InvokeArgs } from "@tauri-apps/api/core";
import type { IncidentView, MonitorView, Settings, Slot, Status } from "../lib/types";

export type Handler = (args: Record<string, unknown>) => unknown;

export function monitor(name: string, state = "up", over: Partial<MonitorView> = {}): MonitorView {
  return { name, state, last_checked: null, latency_ms: 42, reason: null, target: `https://${name}.example.com`, ...over };
}

export function incident(id: number, over: Partial<IncidentView> = {}): IncidentView {
  return {
    id, monitor: "api", state: "resolved", opened_at: "2026-11-30T02:07:00Z", acknowledged_at: null,
    resolved_at: "2026-11-30T02:20:00Z", first_failure_at: "2026-11-30T02:06:00Z", recovered_at: null,
    acknowledged_via: null, snoozed_until: null, time_to_acknowledge_s: null, time_to_recover_s: null,
    reason: "connection refused", ...over,
  };
}

export function status(over: Partial<Status> = {}): Status {
  return { monitors: [], incidents: [], blind: false, live: true, ...over };
}

export function settings(over: Partial<Settings> = {}): Settings {
  return {
    config_path: "/home/me/.config/klaxon/klaxon.toml",
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

export const bar = (...runs: Array<[number, Slot]>): Slot[] => runs.flatMap(([n, s]) => Array.from({ length: n }, () => s));

/** A rejection the way the app's commands reject. */
export const fail = (message: string) => {
  throw { code: "failed", message };
};

export class FakeEngine {
  calls: Array<{ cmd: string; args: Record<string, unknown> }> = [];
  handlers: Record<string, Handler> = {
    status: () => status(),
    day_bars: () => [],
    history: () => [],
    settings: () => settings(),
    validate_monitor: () => [],
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

  /** After the components were unmounted: their `unlisten` runs a moment later, on the fake. */
  static async stop() {
    await new Promise((resolve) => setTimeout(resolve, 0));
    clearMocks();
  }
}
