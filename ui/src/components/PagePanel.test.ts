// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import App from "../App.svelte";
import PagePanel from "./PagePanel.svelte";
import { FakeEngine, fail } from "../test/fakeEngine";

afterEach(async () => {
  cleanup();
  await FakeEngine.stop();
});

const type = (testId: string, value: string) => fireEvent.input(screen.getByTestId(testId), { target: { value } });
const shown = () => screen.getByTestId("page-status").textContent;

/** An answer the test gives when it wants: the form waits for it meanwhile. */
function later<T>() {
  let give!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (give = resolve));
  return { promise, give };
}

describe("paging from the window", () => {
  it("sends the page, says it is waiting, then shows the founder's answer as text", async () => {
    const answer = later<string | null>();
    const engine = new FakeEngine({ page: () => "msg-41", page_answer: () => answer.promise });
    render(PagePanel);
    await type("page-text", "checkout is down, call me");
    await type("page-from", "Sam");
    await fireEvent.click(screen.getByTestId("page-send"));

    await waitFor(() => expect(shown()).toBe("Paged. Waiting for an acknowledgement…"));
    expect(engine.called("page")[0].args).toEqual({ from: "Sam", text: "checkout is down, call me" });
    expect(engine.called("page_answer")[0].args).toEqual({ id: "msg-41", seconds: 600 });
    expect((screen.getByTestId("page-send") as HTMLButtonElement).disabled).toBe(true);

    answer.give("acknowledged by <b>Ana</b> at 02:14");
    await waitFor(() => expect(shown()).toBe("acknowledged by <b>Ana</b> at 02:14"));
    expect(screen.getByTestId("page-panel").querySelector("b")).toBeNull();
    expect((screen.getByTestId("page-send") as HTMLButtonElement).disabled).toBe(false);
  });

  it("leaves From empty for the engine to fill in, and says to call when nobody answered", async () => {
    const engine = new FakeEngine({ page: () => "msg-42", page_answer: () => null });
    render(PagePanel);
    await type("page-text", "db is gone");
    await fireEvent.click(screen.getByTestId("page-send"));

    await waitFor(() => expect(shown()).toBe("Nobody has acknowledged it yet. Call them."));
    expect(engine.called("page")[0].args).toEqual({ from: "", text: "db is gone" });
  });

  it("shows the engine's refusal when there is no [page] in the config, and waits for nothing", async () => {
    const refusal = 'there is no [page] in /home/me/.config/klaxon/klaxon.toml: add `[page]` with `ntfy = "https://ntfy.sh/YOUR-TEAM-TOPIC"`';
    const engine = new FakeEngine({ page: () => fail(refusal) });
    render(PagePanel);
    await type("page-text", "checkout is down");
    await fireEvent.click(screen.getByTestId("page-send"));

    await waitFor(() => expect(shown()).toBe(refusal));
    expect(screen.getByTestId("page-status").className).toBe("error");
    expect(engine.called("page_answer")).toHaveLength(0);
  });

  it("sends nothing without a message", async () => {
    const engine = new FakeEngine();
    render(PagePanel);
    await type("page-text", "   ");
    expect((screen.getByTestId("page-send") as HTMLButtonElement).disabled).toBe(true);
    expect(engine.called("page")).toHaveLength(0);
  });

  it("is on the Now view even when the engine cannot be reached (paging needs none)", async () => {
    new FakeEngine({ status: () => fail("The engine is not running.") });
    render(App);
    expect((await screen.findByTestId("failure")).textContent).toBe("The engine is not running.");
    expect(screen.getByTestId("page-panel")).toBeTruthy();
  });
});
