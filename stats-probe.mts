import { openDatabase } from "/work/main/lib/db/client";
import { createPrismaSessionRepository } from "/work/main/lib/db/session-repository";
const url = process.argv[2]!;
const db = openDatabase(url);
const repo = createPrismaSessionRepository(db);
const now = new Date("2026-11-26T12:00:00Z");
// Longest pause of the event loop while the figures are computed.
let worst = 0, last = performance.now();
const timer = setInterval(() => { const t = performance.now(); worst = Math.max(worst, t - last - 5); last = t; }, 5);
for (let i = 0; i < 2; i++) {
  worst = 0; let t = performance.now();
  await repo.statistics("default", now);
  console.log("statistics", (performance.now() - t).toFixed(0), "ms; worst stall", worst.toFixed(0), "ms");
  worst = 0; t = performance.now();
  await repo.deadSessionFigures("default", now, [new Date(now.getTime() - 7 * 86400e3), new Date(now.getTime() - 30 * 86400e3), new Date(now.getTime() - 90 * 86400e3)]);
  console.log("deadSessionFigures", (performance.now() - t).toFixed(0), "ms; worst stall", worst.toFixed(0), "ms");
}
clearInterval(timer);
await db.close();
