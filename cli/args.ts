import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * parseArgs, strict, with positionals, a --json flag and an --app option (every command takes
 * both), except that an argument starting with
 * a dash that names none of the options is a value, not an option: session ids are base64url and
 * one in 64 starts with "-". Only --name, --name=value and "--" are read as options.
 */
export function parseCommandArgs<O extends Options>(args: string[], options: O) {
  const all = { ...options, json: { type: "boolean" as const }, app: { type: "string" as const } };
  const names = new Set(Object.keys(all));
  const held = new Map<string, string>();
  const safe = args.map((arg, index) => {
    const name = /^--([^=]+)/.exec(arg)?.[1];
    if (!arg.startsWith("-") || arg === "--" || (name !== undefined && names.has(name))) return arg;
    if (arg.startsWith("--") && !/^--?[A-Za-z0-9_-]{21,}$/.test(arg)) return arg; // an unknown --option: refused below
    const placeholder = `\u0000${index}`;
    held.set(placeholder, arg);
    return placeholder;
  });
  const parsed = parseArgs({ args: safe, options: all, allowPositionals: true, strict: true });
  const restore = (value: unknown): unknown =>
    typeof value === "string" ? (held.get(value) ?? value) : Array.isArray(value) ? value.map(restore) : value;
  return {
    values: Object.fromEntries(Object.entries(parsed.values).map(([key, value]) => [key, restore(value)])) as typeof parsed.values,
    positionals: parsed.positionals.map((value) => held.get(value) ?? value),
  };
}
