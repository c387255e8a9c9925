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
