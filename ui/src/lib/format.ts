// How times and durations read in the window: "45 s", "3 h 5 min", "14:05", "29 Nov 23:50".

/** A length of time in words: "45 s", "4 min", "3 h 5 min", "2 d 3 h". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
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
