// Lint for the window: JavaScript and TypeScript recommended rules, plus Svelte's (with
// TypeScript inside <script lang="ts">). The generated types are not ours to lint.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import svelte from "eslint-plugin-svelte";
import globals from "globals";
import ts from "typescript-eslint";

export default defineConfig(
  { ignores: ["dist/", "src/lib/types/"] },
  js.configs.recommended,
  ts.configs.recommended,
  svelte.configs.recommended,
  { languageOptions: { globals: { ...globals.browser } } },
  {
    files: ["*.config.js", "*.config.ts"],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ["**/*.svelte", "**/*.svelte.ts"],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: [".svelte"] } },
  },
  {
    rules: {
      // Everything from monitors and servers is text: never rendered as HTML.
      "svelte/no-at-html-tags": "error",
    },
  },
);
