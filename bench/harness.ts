import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";

export type BenchProvider = "sqlite" | "postgres";

/**
 * Runs a benchmark on each provider (both, or `only`) and prints its report lines under a line
 * naming the machine. Exits non-zero on an error.
 */
export function runBench(options: { only?: string; setup: string; bench: (provider: BenchProvider) => Promise<string[]> }): void {
  async function main() {
    const providers: BenchProvider[] = options.only ? [options.only as BenchProvider] : ["sqlite", "postgres"];
    const report = [`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}; ${options.setup}.`, ""];
    for (const provider of providers) {
      console.info(`\n== ${provider} ==`);
      report.push(...(await options.bench(provider)), "");
    }
    console.info(`\n${report.join("\n")}`);
  }
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

/** The p-th percentile (0–100) of `values`, by nearest rank; 0 when there are none. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

/** `work` twice to warm up, then `runs` times, each timed: the p50 and p95 in milliseconds. */
export async function timeRuns(work: () => Promise<unknown>, runs = 20): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 2; i++) await work();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

/** Child processes started by startProcess, for stopAll at the end of a run. */
const started: ChildProcess[] = [];

/** What of a server's output is kept to show if it fails: the end (under load it logs a line per request). */
const KEPT_OUTPUT = 64 * 1024;

/** Starts `node <args>` in the checkout with `env` and PORT; the end of its output is shown if it fails. */
export function startProcess(args: string[], env: Record<string, string>, port: number): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: process.cwd(), env: { ...process.env, ...env, PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-KEPT_OUTPUT);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  child.on("exit", (code) => code && code !== 0 && console.error(`server on ${port} exited ${code}:\n${output}`));
  started.push(child);
  return child;
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise((resolve) => {
    child.once("exit", resolve);
    child.kill("SIGTERM");
  });
}

export async function stopAll(): Promise<void> {
  for (const child of started) await stopProcess(child);
}

/** Waits (up to two minutes) until `url` answers below 500. */
export async function waitForHttp(url: string, init?: RequestInit): Promise<void> {
  for (let waited = 0; waited < 120_000; waited += 200) {
    const status = await fetch(url, init).then((response) => response.status, () => 0);
    if (status > 0 && status < 500) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer`);
}

/** Runs a benchmark script's main, reports an error as a failed run, and always cleans up. */
export function runScript(main: () => Promise<void>, cleanup: () => void | Promise<void>): void {
  main()
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    })
    .finally(async () => {
      await stopAll();
      await cleanup();
    });
}
