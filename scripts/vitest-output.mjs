// What `npm test` reads from Vitest's printed output that its JSON report leaves out.

/**
 * The errors Vitest caught outside any test (a rejection no test awaited, say), from what it
 * printed: its JSON report leaves them out. Each as "file: kind: message".
 */
export function unhandledErrors(output) {
  const text = output.replace(/\x1b\[[0-9;]*m/g, "");
  const found = [];
  // "Unhandled Rejection", "Uncaught Exception", "Unhandled Error", "Unhandled Source Error"… but
  // not the "Unhandled Errors" heading above them.
  const banner = /⎯+ ((?:Unhandled|Uncaught) (?!Errors ⎯)[\w ]+?) ⎯+\n([^\n]*)/g;
  for (let match = banner.exec(text); match; match = banner.exec(text)) {
    const rest = text.slice(banner.lastIndex);
    const next = rest.search(/⎯{4,}/);
    const origin = /This error originated in "([^"]+)"/.exec(next < 0 ? rest : rest.slice(0, next));
    found.push(`${origin ? origin[1] : "outside any test file"}: ${match[1].toLowerCase()}: ${match[2].trim()}`);
  }
  return found;
}
