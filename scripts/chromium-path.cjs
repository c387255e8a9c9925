// Where the Chromium of the Playwright suite is: CHROMIUM_PATH, else `chromium` on PATH. CommonJS,
// so that playwright.config.ts and scripts/preflight.mjs can both load it.
const { accessSync, constants } = require("node:fs");
const path = require("node:path");

/** An executable called `name` on PATH, or null. */
function onPath(name, env = process.env) {
  for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** The Chromium to use, or null when there is none. */
function chromiumPath(env = process.env) {
  if (env.CHROMIUM_PATH) {
    try {
      accessSync(env.CHROMIUM_PATH, constants.X_OK);
      return env.CHROMIUM_PATH;
    } catch {
      return null;
    }
  }
  return onPath("chromium", env);
}

module.exports = { onPath, chromiumPath };
