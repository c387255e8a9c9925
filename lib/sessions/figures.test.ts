import { describe, expect, it } from "vitest";
import { createFakeClock } from "./clock";
import { createFiguresCache } from "./figures";

/** A computation that takes `ms` on the injected stopwatch and answers what `next` says. */
function setup(liveBelowMs: number) {
  const clock = createFakeClock(new Date("2026-12-01T10:00:00Z"));
  let stopwatch = 0;
  const cache = createFiguresCache(clock, { maxAgeMs: 60_000, liveBelowMs, elapsed: () => stopwatch });
  let computed = 0;
  let pending: ((value: number) => void) | null = null;
  const slow = (ms: number) => () => {
    computed += 1;
    stopwatch += ms;
    return Promise.resolve(computed);
  };
  const held = () =>
    new Promise<number>((resolve) => {
      computed += 1;
      pending = resolve;
    });
  return { clock, cache, slow, held, computed: () => computed, release: (value: number) => pending?.(value) };
}

describe("shared figures", () => {
  it("are computed for every read while they are cheap", async () => {
    const { cache, slow, computed } = setup(200);
    expect(await cache.get("k", slow(5))).toMatchObject({ value: 1, live: true });
    expect(await cache.get("k", slow(5))).toMatchObject({ value: 2, live: true });
    expect(computed()).toBe(2);
  });

  it("once dear, are answered from the last computation with its time, and refreshed in the background after the maximum age", async () => {
    const { clock, cache, slow, computed } = setup(200);
    const first = await cache.get("k", slow(900));
    expect(first).toEqual({ value: 1, asOf: new Date("2026-12-01T10:00:00Z"), live: true });
    clock.advance(30_000);
    expect(await cache.get("k", slow(900))).toEqual({ value: 1, asOf: new Date("2026-12-01T10:00:00Z"), live: false });
    expect(computed()).toBe(1);
    clock.advance(31_000);
    // Past the maximum age: this read still gets the held figures at once, and starts a refresh.
    expect(await cache.get("k", slow(900))).toMatchObject({ value: 1, live: false });
    expect(computed()).toBe(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await cache.get("k", slow(900))).toEqual({ value: 2, asOf: new Date("2026-12-01T10:01:01Z"), live: false });
  });

  it("run one computation per key at a time, and keep the held figures when a refresh fails", async () => {
    const { clock, cache, slow, held, computed, release } = setup(0);
    await cache.get("k", slow(1));
    clock.advance(61_000);
    await cache.get("k", held);
    await cache.get("k", held);
    await cache.get("k", held);
    expect(computed()).toBe(2);
    release(7);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await cache.get("k", slow(1))).value).toBe(7);
    clock.advance(61_000);
    await cache.get("k", () => Promise.reject(new Error("database gone")));
    await new Promise((resolve) => setImmediate(resolve));
    expect(await cache.get("k", slow(1))).toMatchObject({ value: 7, live: false });
  });

  it("keep keys apart, and a first computation's error reaches the caller", async () => {
    const { cache, slow } = setup(0);
    expect((await cache.get("a", slow(1))).value).toBe(1);
    expect((await cache.get("b", slow(1))).value).toBe(2);
    await expect(cache.get("c", () => Promise.reject(new Error("database gone")))).rejects.toThrow("database gone");
  });

  it("refresh computes now, whatever is held", async () => {
    const { cache, slow } = setup(0);
    await cache.get("k", slow(1));
    expect(await cache.refresh("k", slow(1))).toMatchObject({ value: 2, live: true });
    expect(await cache.get("k", slow(1))).toMatchObject({ value: 2, live: false });
  });
});
