import { spawn, type ChildProcess } from "node:child_process";
import { createConnection, createServer } from "node:net";

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.end();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** Starts (or starts again) the server on the same port. */
  start(): Promise<void>;
  /** Stops it as an outage would: connections drop, and nothing it held survives. */
  stop(): Promise<void>;
}

/**
 * A Redis server of the test's own (the machine's `redis-server`) on a free port, so that a test
 * can stop it mid-run without touching the Redis other programs use. Keeps nothing on disk.
 */
export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const redis: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
      child.on("error", () => undefined);
      for (let waited = 0; !(await answers(port)); waited += 25) {
        if (waited > 5_000) throw new Error(`redis-server did not start on port ${port} (is it installed?)`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      await new Promise((resolve) => {
        running.once("exit", resolve);
        running.kill("SIGKILL");
      });
    },
  };
  await redis.start();
  return redis;
}
