import { expect, test } from "@playwright/test";

// The favicon, the home-screen icons and the web manifest reach a browser that is not signed in
// (the sign-in page links them), with the right types and sizes.

/** A PNG's width and height, from its IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

const FILES = [
  { path: "/favicon.ico", type: /^image\/(x-icon|vnd\.microsoft\.icon)/ },
  { path: "/favicon.svg", type: /^image\/svg\+xml/ },
  { path: "/apple-touch-icon.png", type: /^image\/png/, size: 180 },
  { path: "/icon-192.png", type: /^image\/png/, size: 192 },
  { path: "/icon-512.png", type: /^image\/png/, size: 512 },
  { path: "/site.webmanifest", type: /^application\/manifest\+json/ },
];

test("a signed-out browser gets the favicon, the icons and the manifest, and the sign-in page links them", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  for (const { path, type, size } of FILES) {
    const response = await page.request.get(path, { maxRedirects: 0 });
    expect(response.status(), path).toBe(200);
    expect(response.headers()["content-type"], path).toMatch(type);
    if (size) expect(pngSize(await response.body()), path).toEqual({ width: size, height: size });
  }
  const ico = await (await page.request.get("/favicon.ico")).body();
  expect(ico.readUInt16LE(2), "an icon resource").toBe(1);
  expect(ico.readUInt16LE(4), "images in favicon.ico").toBeGreaterThanOrEqual(2);

  const manifest = (await (await page.request.get("/site.webmanifest")).json()) as { name: string; icons: { src: string; sizes: string; type: string }[] };
  expect(manifest.name).toBe("Latchkey console");
  for (const icon of manifest.icons) {
    const response = await page.request.get(icon.src);
    expect(response.status(), icon.src).toBe(200);
    expect(response.headers()["content-type"], icon.src).toContain(icon.type);
  }

  await page.goto("/login");
  const head = page.locator("head");
  await expect(head.locator('link[rel="icon"][href^="/favicon.ico"]')).toHaveCount(1);
  await expect(head.locator('link[rel="icon"][href^="/favicon.svg"]')).toHaveCount(1);
  await expect(head.locator('link[rel="apple-touch-icon"][href^="/apple-touch-icon.png"]')).toHaveCount(1);
  await expect(head.locator('link[rel="manifest"][href^="/site.webmanifest"]')).toHaveCount(1);
  // The browser's own favicon request is answered too (no 404 in the console).
  const failed: string[] = [];
  page.on("response", (response) => {
    if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
  });
  await page.reload();
  expect(failed).toEqual([]);
  await context.close();
});
