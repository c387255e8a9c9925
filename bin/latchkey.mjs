#!/usr/bin/env node
// The latchkey command: runs cli/main.ts (TypeScript, through tsx) against a running Latchkey.
import { tsImport } from "tsx/esm/api";

const { main } = await tsImport("../cli/main.ts", import.meta.url);
process.exitCode = await main(process.argv.slice(2));
