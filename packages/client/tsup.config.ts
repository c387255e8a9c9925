import { defineConfig } from "tsup";

// ESM and CommonJS with type declarations for each entry; jose stays a dependency, and next and
// react (peers of the /next entry only) are the application's own.
export default defineConfig({
  entry: { index: "src/index.ts", verify: "src/verify.ts", express: "src/express.ts", edge: "src/edge.ts", next: "src/next.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "node18",
  platform: "neutral",
  sourcemap: true,
});
