import { describe, expect, it } from "vitest";
import {
  channelFields, channelToSend, ladderGeneralProblems, ladderWords, newChannelForm, otherProblems, secretName,
  spokenDuration, stepWords, suggestedSecret,
} from "./channelForm";

describe("the ladder in words", () => {
  it("reads a duration in the units it was written in", () => {
    expect(spokenDuration("3m")).toBe("3 minutes");
    expect(spokenDuration("1m")).toBe("1 minute");
    expect(spokenDuration("1h 30m")).toBe("1 hour 30 minutes");
    expect(spokenDuration("90s")).toBe("90 seconds");
    expect(spokenDuration("2 days")).toBe("2 days");
    expect(spokenDuration("0s")).toBeNull();
    // What it cannot read is shown as written, not guessed at.
    expect(spokenDuration("soon")).toBe('"soon"');
    expect(spokenDuration("3 fortnights")).toBe('"3 fortnights"');
    expect(spokenDuration("3m and then some")).toBe('"3m and then some"');
  });

  it("says each step as a sentence", () => {
    expect(stepWords({ after: "0s", notify: ["siren"] })).toBe("at once, ring the siren");
    expect(stepWords({ after: "0s", notify: ["siren", "phone"] })).toBe("at once, ring the siren and notify phone");
    expect(stepWords({ after: "3m", notify: ["phone"] })).toBe("after 3 minutes, notify phone");
    expect(stepWords({ after: "10m", notify: ["pushover", "team-slack", "mail"] })).toBe(
      "after 10 minutes, notify pushover, team-slack and mail",
    );
    expect(stepWords({ after: "5m", notify: [] })).toBe("after 5 minutes, notify nobody");
  });

  it("adds the repeats, and says what no ladder means", () => {
    const steps = [{ after: "0s", notify: ["siren"] }];
    expect(ladderWords({ steps, repeat_every: "15m", ack_timeout: "30m" })).toEqual([
      "at once, ring the siren",
      "while nobody acknowledges, notify the channels again every 15 minutes",
      "acknowledged but still down after 30 minutes: ring and climb the ladder again",
    ]);
    expect(ladderWords({ steps: [], repeat_every: "", ack_timeout: "" })).toEqual([
      "The siren rings on this machine, and no one else is told.",
    ]);
  });

  it("leaves no problem unseen: those of no field shown are listed apart", () => {
    const problems = [
      { field: "steps[1].after", message: "a" },
      { field: "steps", message: "the first step must ring the siren" },
      { field: "repeat_every", message: "b" },
    ];
    expect(ladderGeneralProblems(problems, 1)).toEqual(["the first step must ring the siren"]);
  });
});

describe("a channel's form", () => {
  it("reads a secret's name only from an exact reference", () => {
    expect(secretName("{secret:ntfy-token}")).toBe("ntfy-token");
    expect(secretName(" {secret:a} ")).toBe("a");
    expect(secretName("tk_live_9f8e7d")).toBeNull();
    expect(secretName("Bearer {secret:a}")).toBeNull();
  });

  it("proposes a secret named after the channel and the field", () => {
    expect(suggestedSecret("phone", "token")).toBe("{secret:phone-token}");
    expect(suggestedSecret("Team Slack!", "url")).toBe("{secret:Team-Slack-url}");
    expect(suggestedSecret("", "password")).toBe("{secret:channel-password}");
  });

  it("sends only the fields of its kind", () => {
    const form = { ...newChannelForm("slack"), name: "team", url: "{secret:hook}", topic: "typed before", host: "x" };
    expect(channelToSend(form)).toEqual({ ...newChannelForm("slack"), name: "team", url: "{secret:hook}" });
    expect(channelFields("slack").map((f) => [f.key, f.secret])).toEqual([["url", true]]);
  });

  it("lists the problems of fields the kind does not show", () => {
    const problems = [
      { field: "topic", message: "bad topic" },
      { field: "", message: "line 3: monitor[1].every: bad" },
      { field: "host", message: "needs a host" },
    ];
    expect(otherProblems(problems, "ntfy")).toEqual(["line 3: monitor[1].every: bad", "host: needs a host"]);
  });
});
