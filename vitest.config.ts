import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // The workspace packages are imported from their source, as tsconfig.json's paths say.
    alias: [
      { find: /^@latchkey\/client$/, replacement: path.resolve(__dirname, "packages/client/src/index.ts") },
      { find: /^@latchkey\/client\/(.+)$/, replacement: path.resolve(__dirname, "packages/client/src/$1.ts") },
      { find: /^@latchkey\/authjs-adapter$/, replacement: path.resolve(__dirname, "packages/authjs-adapter/src/index.ts") },
      { find: "@", replacement: path.resolve(__dirname) },
    ],
  },
  test: {
    include: ["lib/**/*.test.ts", "app/**/*.test.ts", "scripts/**/*.test.ts", "cli/**/*.test.ts", "packages/*/src/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
