import { defineConfig, devices } from "@playwright/test";
import { chromiumPath } from "./scripts/chromium-path.cjs";

const port = Number(process.env.E2E_PORT ?? 3100);

export default defineConfig({
  testDir: "e2e",
  // One tsconfig for every file the tests import: its paths send @latchkey/* to the packages'
  // source, also from files inside a package (whose own tsconfig is for building it).
  tsconfig: "./tsconfig.json",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: [["list"], ["json", { outputFile: "test-results/e2e.json" }]],
  timeout: 30_000,
  use: {
    baseURL: `http://localhost:${port}`,
    trace: "retain-on-failure",
  },
  projects: [
    { name: "setup", testMatch: /global\.setup\.ts/ },
    {
      name: "chromium",
      dependencies: ["setup"],
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          // Debian's Chromium; never a downloaded browser. Flags keep it off the network.
          // CHROMIUM_PATH, else `chromium` on PATH (scripts/preflight.mjs checks it is there).
          executablePath: chromiumPath() ?? "chromium",
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
          ],
        },
      },
    },
  ],
  webServer: {
    command: "node scripts/e2e-server.mjs",
    url: `http://localhost:${port}/login`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
  },
});
