// The 24-hour bar under each monitor: 96 slots of 15 minutes, oldest first.
import type { DayBar, Slot, Status } from "./types";

export const SLOT_MINUTES = 15;

/** What each slot means, in the order the summary lists them. */
const MEANING: Record<Slot, string> = {
  up: "up",
  down: "down",
  offline: "offline",
  unmonitored: "not monitored",
  none: "no data",
};

/** "23 h 45 min", "15 min", "24 h". */
export function minutes(total: number): string {
  const h = Math.floor(total / 60);
  const m = total % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** The CSS class that colors a slot (see app.css). */
export function slotClass(slot: Slot): string {
  return `slot slot-${slot}`;
}

/** What one slot says when hovered: "about 2 h ago: down". Slot 95 is the newest. */
export function slotTitle(slot: Slot, index: number, count: number): string {
  const agoMin = (count - 1 - index) * SLOT_MINUTES;
  const when = agoMin === 0 ? "last 15 min" : `about ${minutes(agoMin)} ago`;
  return `${when}: ${MEANING[slot]}`;
}

/** "last 24 h: 23 h 45 min up, 15 min down" — the bar read out, worst things included. */
export function daySummary(slots: Slot[]): string {
  const counts = new Map<Slot, number>();
  for (const s of slots) counts.set(s, (counts.get(s) ?? 0) + 1);
  const parts = (Object.keys(MEANING) as Slot[])
    .filter((s) => counts.has(s))
    .map((s) => `${minutes((counts.get(s) ?? 0) * SLOT_MINUTES)} ${MEANING[s]}`);
  return `last ${minutes(slots.length * SLOT_MINUTES)}: ${parts.length ? parts.join(", ") : "no data"}`;
}

/** The bar for one monitor, or undefined while none came (a monitor added a moment ago). */
export function barFor(bars: DayBar[], monitor: string): Slot[] | undefined {
  return bars.find((b) => b.monitor === monitor)?.slots;
}

/**
 * What the bars depend on in a status: each monitor's state, the open incidents, offline and
 * paused. A status event comes with every check; the bars are read again only when this
 * changes (and once a minute), not for a new latency.
 */
export function barsKey(status: Status): string {
  return JSON.stringify([
    status.monitors.map((m) => [m.name, m.state]),
    status.incidents.map((i) => [i.id, i.state]),
    status.blind,
    status.paused_until ?? null,
  ]);
}
