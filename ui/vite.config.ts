import { defineConfig } from "vitest/config";

// The window loads the built files from inside the app binary (tauri.conf.json frontendDist).
export default defineConfig({
  clearScreen: false,
  // The catalogue lives in crates/i18n/locales (one catalogue for the app, the report and the CLI).
  server: { fs: { allow: [".."] } },
  build: { outDir: "dist", emptyOutDir: true, target: "safari15", sourcemap: false },
  test: { environment: "jsdom", include: ["test/**/*.test.ts"] },
});
