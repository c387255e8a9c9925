import { defineConfig } from "tsup";

// ESM and CommonJS with type declarations; @latchkey/client stays a dependency.
export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "node18",
  platform: "neutral",
  sourcemap: true,
});
