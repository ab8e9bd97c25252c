import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { debounce, latestOnly } from "./debounce";

describe("waiting for the user to stop typing", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("checks the form once, 250 ms after the last keystroke, with what was typed last", () => {
    const seen: string[] = [];
    const check = debounce((s: string) => seen.push(s), 250);
    check("h");
    vi.advanceTimersByTime(100);
    check("ht");
    vi.advanceTimersByTime(100);
    check("htt");
    vi.advanceTimersByTime(249);
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual(["htt"]);
  });

  it("does not check a form that was closed while waiting", () => {
    const seen: string[] = [];
    const check = debounce((s: string) => seen.push(s), 250);
    check("api");
    check.cancel();
    vi.advanceTimersByTime(1000);
    expect(seen).toEqual([]);
  });
});

describe("slow answers", () => {
  it("drops an older answer that arrives after a newer one was asked for", async () => {
    const pending: Array<(v: string) => void> = [];
    const ask = latestOnly((question: string) => new Promise<string>((resolve) => pending.push((a) => resolve(`${a} ${question}`))));
    const first = ask("a");
    const second = ask("ab");
    pending[1]("answer to");
    pending[0]("answer to");
    expect(await second).toEqual({ stale: false, value: "answer to ab" });
    expect(await first).toEqual({ stale: true });
  });
});
