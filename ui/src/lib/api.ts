// The window's only way to the engine: the app's own commands and its `status` event.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { Status } from "./types";

/** What a failed command rejects with (see src-tauri/src/error.rs). */
export interface CommandError {
  code: string;
  message: string;
}

export function errorText(e: unknown): string {
  if (typeof e === "object" && e !== null && "message" in e) return String((e as CommandError).message);
  return String(e);
}

export const status = () => invoke<Status>("status");
export const acknowledge = (code: string | null) => invoke<string>("acknowledge", { code });
export const snooze = (minutes: number) => invoke<string>("snooze", { minutes });
export const pause = (minutes: number | null) => invoke<string>("pause", { minutes });
export const resume = () => invoke<string>("resume");
export const testAlarm = () => invoke<string>("test_alarm");
export const onStatus = (f: (s: Status) => void): Promise<UnlistenFn> => listen<Status>("status", (e) => f(e.payload));
