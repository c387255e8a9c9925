#!/usr/bin/env node
// Draws the console's icons from public/favicon.svg with the Chromium the Playwright suite uses
// (no image library needed): the PNGs a phone or a browser asks for, and favicon.ico for
// browsers that ask for it by that name. Run it again after changing favicon.svg:
//   node scripts/make-icons.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "@playwright/test";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { chromiumPath } = createRequire(import.meta.url)("./chromium-path.cjs");
const publicDir = path.join(root, "public");
const svg = readFileSync(path.join(publicDir, "favicon.svg"), "utf8");
// A home-screen icon is cut to the system's own shape and must have no transparent corners.
const square = svg.replace(/ rx="[^"]*"/, "");

const browser = await chromium.launch({
  executablePath: chromiumPath() ?? "chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});

/** The SVG drawn at size × size pixels, as PNG bytes (transparent where the SVG draws nothing). */
async function png(source, size) {
  const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
  const sized = source.replace("<svg ", `<svg width="${size}" height="${size}" `);
  await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${sized}</body></html>`);
  const bytes = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
  await page.close();
  return bytes;
}

/** An .ico file holding PNG images (every browser of the last decade reads PNG inside ICO). */
function ico(images) {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, bytes }, index) => {
    const entry = 6 + 16 * index;
    header.writeUInt8(size >= 256 ? 0 : size, entry);
    header.writeUInt8(size >= 256 ? 0 : size, entry + 1);
    header.writeUInt8(0, entry + 2);
    header.writeUInt8(0, entry + 3);
    header.writeUInt16LE(1, entry + 4);
    header.writeUInt16LE(32, entry + 6);
    header.writeUInt32LE(bytes.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += bytes.length;
  });
  return Buffer.concat([header, ...images.map(({ bytes }) => bytes)]);
}

try {
  writeFileSync(path.join(publicDir, "apple-touch-icon.png"), await png(square, 180));
  writeFileSync(path.join(publicDir, "icon-192.png"), await png(svg, 192));
  writeFileSync(path.join(publicDir, "icon-512.png"), await png(svg, 512));
  const small = [];
  for (const size of [16, 32, 48]) small.push({ size, bytes: await png(svg, size) });
  writeFileSync(path.join(publicDir, "favicon.ico"), ico(small));
  console.info("wrote public/apple-touch-icon.png, icon-192.png, icon-512.png and favicon.ico");
} finally {
  await browser.close();
}
