// How times and durations read in the window: "45 s", "3 h 5 min", "14:05", "29 Nov 23:50".

/**
 * A length of time in words: "500 ms", "1.5 s", "45 s", "4 min", "3 h 5 min", "2 d 3 h". The
 * same words as the Rust side's one duration function: both are tested against
 * crates/klaxon-core/src/domain/words_cases.json. Every unit is counted down, never rounded up,
 * so "4 min" is at least four minutes; below 10 s a tenth is shown (latencies, timeouts).
 */
export function duration(seconds: number): string {
  // Whole microseconds first: seconds arrive as a float (`ms / 1000`), and 4.1 * 1e6 is
  // 4099999.9999999995, which counted down would read "4 s". Rounded to the microsecond,
  // every unit below is an exact integer division, as Rust's Duration is.
  // Clocks that disagree never make it negative; NaN (an unreadable time) counts as zero.
  const us = Math.max(0, Math.round(seconds * 1e6)) || 0;
  if (us < 1000) return "less than 1 ms";
  if (us < 1e6) return `${Math.floor(us / 1000)} ms`;
  const s = Math.floor(us / 1e6);
  if (s < 10) {
    const tenths = Math.floor(us / 1e5);
    return tenths % 10 === 0 ? `${tenths / 10} s` : `${Math.floor(tenths / 10)}.${tenths % 10} s`;
  }
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) {
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return m === 0 ? `${h} h` : `${h} h ${m} min`;
  }
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  return h === 0 ? `${d} d` : `${d} d ${h} h`;
}

/**
 * Time that has passed since something ("down for 4 s"): whole seconds once past one, since
 * tenths of a second there are only noise. The same as Rust's `words::elapsed`.
 */
export function elapsed(seconds: number): string {
  return duration(seconds >= 1 ? Math.floor(seconds) : seconds);
}

/** A duration that may not be known yet: "—" for null. */
export function maybeDuration(seconds: number | null | undefined): string {
  return seconds === null || seconds === undefined ? "—" : duration(seconds);
}

/** Seconds from `from` to `to` (an ISO time, or `now` when it has not happened yet). */
export function secondsBetween(from: string, to: string | null, now: Date): number {
  const end = to === null ? now.getTime() : new Date(to).getTime();
  return Math.max(0, (end - new Date(from).getTime()) / 1000);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => String(n).padStart(2, "0");

/** An ISO time in the user's time zone: "14:05" today, "29 Nov 23:50" this year, else with the year. */
export function localTime(iso: string, now: Date): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const clock = `${two(t.getHours())}:${two(t.getMinutes())}`;
  const sameYear = t.getFullYear() === now.getFullYear();
  if (sameYear && t.getMonth() === now.getMonth() && t.getDate() === now.getDate()) return clock;
  const day = `${t.getDate()} ${MONTHS[t.getMonth()]}`;
  return sameYear ? `${day} ${clock}` : `${day} ${t.getFullYear()} ${clock}`;
}

/** Like localTime, always with the seconds: for timelines, where seconds matter. */
export function localTimeWithSeconds(iso: string, now: Date): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const base = localTime(iso, now);
  return `${base}:${two(t.getSeconds())}`;
}
