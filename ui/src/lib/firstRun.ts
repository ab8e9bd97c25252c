// The guided first run's logic: its steps in order, the coverage verdict read item by item,
// what to check when the alarm was not heard, and which channel a save added.
import type { Coverage, SoundStatus } from "./types";
import type { CoverageItem } from "./types/CoverageItem";

export type GuideStep = "service" | "alarm" | "phone" | "covered";

export const GUIDE_STEPS: { id: GuideStep; title: string }[] = [
  { id: "service", title: "Add your first service" },
  { id: "alarm", title: "Hear the alarm" },
  { id: "phone", title: "Reach your phone" },
  { id: "covered", title: "Am I covered?" },
];

/** The step after `step` (the last one stays). */
export function nextStep(step: GuideStep): GuideStep {
  const i = GUIDE_STEPS.findIndex((s) => s.id === step);
  return GUIDE_STEPS[Math.min(i + 1, GUIDE_STEPS.length - 1)].id;
}

/** "Step 2 of 4". */
export function stepLabel(step: GuideStep): string {
  return `Step ${GUIDE_STEPS.findIndex((s) => s.id === step) + 1} of ${GUIDE_STEPS.length}`;
}

// What each thing the verdict rests on reads as when it is fine. A Record over the generated
// union: an item added in Rust is a compile error here until it has its words.
const FINE: Record<CoverageItem, string> = {
  monitors: "Your services are checked",
  sound: "The siren can be heard",
  keep_awake: "This machine stays awake while on call",
  power: "Power is fine",
  channel: "Your phone is reached",
  heartbeat: "The watchdog hears from Klaxon",
};

/** The items the guide sets up, always listed; others are listed only when something is wrong. */
const SET_UP: CoverageItem[] = ["monitors", "sound", "channel"];

export interface VerdictLine {
  item: CoverageItem;
  ok: boolean;
  text: string;
}

/** What the channel line says when there is no channel: the verdict has no gap for it (the
 * siren alone is a valid setup), but the founder skipped the phone and should know. */
export const NO_PHONE = "No phone yet: only the siren on this machine will wake you";

/** The verdict as lines: each item the guide set up, green or with its problem, then every
 * other gap. `hasPhone`: whether klaxon.toml has a channel at all. */
export function verdictLines(coverage: Coverage, hasPhone = true): VerdictLine[] {
  const lines: VerdictLine[] = [];
  for (const item of SET_UP) {
    const gaps = coverage.gaps.filter((g) => g.item === item);
    if (item === "channel" && !hasPhone) lines.push({ item, ok: false, text: NO_PHONE });
    else if (gaps.length === 0) lines.push({ item, ok: true, text: FINE[item] });
    for (const g of gaps) lines.push({ item, ok: false, text: g.problem });
  }
  for (const g of coverage.gaps.filter((g) => !SET_UP.includes(g.item))) lines.push({ item: g.item, ok: false, text: g.problem });
  return lines;
}

/** What to check when the test alarm was not heard: the engine's own words first when it has no sound. */
export function notHeardAdvice(sound: SoundStatus | null | undefined): string[] {
  if (sound?.problem) {
    return [sound.problem, "Plug in speakers or headphones, or pick another output in your sound settings, then try again."];
  }
  return [
    "Klaxon played it on this machine's default sound output.",
    "Check that the sound is not muted and the volume is up, and that the output is the speakers you will hear at night (not disconnected headphones).",
    "Klaxon raises the volume while it rings if \"Raise the system volume\" is on in Settings → Alarm.",
  ];
}

/** The channel a save added: the first name that was not there before, else the name typed. */
export function addedChannel(before: string[], after: string[], typed: string): string {
  return after.find((n) => !before.includes(n)) ?? typed.trim();
}

/** A name for the phone's channel that the file does not use yet: "phone", then "phone-2"… */
export function freeChannelName(taken: string[]): string {
  if (!taken.includes("phone")) return "phone";
  let n = 2;
  while (taken.includes(`phone-${n}`)) n++;
  return `phone-${n}`;
}
