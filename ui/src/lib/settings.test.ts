import { describe, expect, it } from "vitest";
import { parseWitnesses, percent, secretNameProblem, soundChoice, soundValue, witnessesText } from "./settings";

describe("the witnesses box", () => {
  it("reads one host:port per line, ignoring blank lines and spaces", () => {
    expect(parseWitnesses(" 1.1.1.1:53\n\n  9.9.9.9:53 \r\n")).toEqual(["1.1.1.1:53", "9.9.9.9:53"]);
  });

  it("treats an empty box as turning the offline check off", () => {
    expect(parseWitnesses("  \n ")).toEqual([]);
  });

  it("shows the saved witnesses one per line", () => {
    expect(witnessesText(["1.1.1.1:53", "9.9.9.9:53"])).toBe("1.1.1.1:53\n9.9.9.9:53");
  });
});

describe("the alarm's sound", () => {
  it("shows a built-in sound by name and anything else as a custom file", () => {
    expect(soundChoice("siren")).toBe("siren");
    expect(soundChoice("/home/me/wake.ogg")).toBe("custom");
  });

  it("saves the file path typed for a custom sound and the name for a built-in one", () => {
    expect(soundValue("custom", " /home/me/wake.ogg ")).toBe("/home/me/wake.ogg");
    expect(soundValue("klaxon", "/home/me/wake.ogg")).toBe("klaxon");
  });

  it("shows the start volume as a percentage", () => {
    expect(percent(0.05)).toBe("5 %");
    expect(percent(1)).toBe("100 %");
  });
});

describe("a new secret's name", () => {
  it("accepts names the keyring takes: letters, digits, -, _ and .", () => {
    expect(secretNameProblem("API_TOKEN")).toBeNull();
    expect(secretNameProblem("stripe.live-key")).toBeNull();
  });

  it("asks for a name, and refuses spaces, braces and names too long", () => {
    expect(secretNameProblem(" ")).toBe("Give the secret a name.");
    expect(secretNameProblem("my token")).toBe("Use only letters, digits, -, _ and . (at most 64).");
    expect(secretNameProblem("TOKEN}")).toBe("Use only letters, digits, -, _ and . (at most 64).");
    expect(secretNameProblem("A".repeat(65))).toBe("Use only letters, digits, -, _ and . (at most 64).");
  });
});
