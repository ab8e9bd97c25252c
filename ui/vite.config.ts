import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";

// The window loads only what is built here: no remote content, no inline script (see the CSP in
// src-tauri/tauri.conf.json). svelteTesting only acts under Vitest (browser Svelte for the
// component tests, which opt into jsdom per file).
export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
  test: { environment: "node" },
});
