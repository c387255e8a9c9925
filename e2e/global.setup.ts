import { writeFileSync } from "node:fs";
import { test as setup } from "@playwright/test";
import { KEYS_FILE, seedApiKeys } from "./fixtures";

setup("seed API keys with the CLI", async () => {
  writeFileSync(KEYS_FILE, JSON.stringify(await seedApiKeys()), { mode: 0o600 });
});
