// The Settings view's small conversions: the witnesses textarea and the alarm's sound choice.

/** One `host:port` per line; blank lines and surrounding spaces do not count. */
export function parseWitnesses(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

export function witnessesText(witnesses: string[]): string {
  return witnesses.join("\n");
}

export const BUILT_IN_SOUNDS = ["klaxon", "siren"] as const;

/** Which choice of the sound select a configured sound is: a built-in name, or a custom file. */
export function soundChoice(sound: string): string {
  return (BUILT_IN_SOUNDS as readonly string[]).includes(sound) ? sound : "custom";
}

/** The `sound` value to save from the select and the file path typed for "custom". */
export function soundValue(choice: string, path: string): string {
  return choice === "custom" ? path.trim() : choice;
}

/** The start volume as people read it: 0.25 → "25 %". */
export function percent(volume: number): string {
  return `${Math.round(volume * 100)} %`;
}

/** Why the engine would refuse a secret's name (letters, digits, `-`, `_`, `.`; at most 64), or null. */
export function secretNameProblem(name: string): string | null {
  const n = name.trim();
  if (n === "") return "Give the secret a name.";
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(n)) return "Use only letters, digits, -, _ and . (at most 64).";
  return null;
}
