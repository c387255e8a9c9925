import { describe, expect, it } from "vitest";
import { unhandledErrors } from "./vitest-output.mjs";

// Vitest 4's output for a test file that passed but left a rejection behind (colours included).
const CAUGHT = `\x1b[32m ✓\x1b[39m lib/tmpcheck/unhandled.test.ts \x1b[2m(\x1b[22m\x1b[2m1 test\x1b[22m\x1b[2m)\x1b[22m\x1b[32m 24\x1b[2mms\x1b[22m\x1b[39m
\x1b[31m⎯⎯⎯⎯⎯⎯ Unhandled Errors ⎯⎯⎯⎯⎯⎯\x1b[39m

\x1b[31m\x1b[1mVitest caught 1 unhandled error during the test run.\x1b[22m
This might cause false positive tests. Resolve unhandled errors to make sure your tests are not affected.\x1b[39m

\x1b[31m⎯⎯⎯⎯ Unhandled Rejection ⎯⎯⎯⎯⎯\x1b[39m
\x1b[31m\x1b[1mError\x1b[22m: boom from a timer\x1b[39m
\x1b[36m \x1b[2m❯\x1b[22m Timeout._onTimeout lib/tmpcheck/unhandled.test.ts:\x1b[2m3:37\x1b[22m\x1b[39m

\x1b[2mThis error originated in "\x1b[1mlib/tmpcheck/unhandled.test.ts\x1b[22m" test file. It doesn't mean the error was thrown inside the file itself, but while it was running.\x1b[22m
\x1b[31m\x1b[2m⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯\x1b[22m\x1b[39m

 Test Files  1 passed (1)
      Tests  1 passed (1)
     Errors  1 error
`;

describe("unhandledErrors", () => {
  it("names each error Vitest caught outside a test, with the file it came from", () => {
    expect(unhandledErrors(CAUGHT)).toEqual(["lib/tmpcheck/unhandled.test.ts: unhandled rejection: Error: boom from a timer"]);
  });

  it("names every one of several, of each kind", () => {
    const two = `⎯⎯⎯⎯⎯⎯ Unhandled Errors ⎯⎯⎯⎯⎯⎯\n\nVitest caught 2 unhandled errors during the test run.\n\n⎯⎯⎯⎯ Uncaught Exception ⎯⎯⎯⎯⎯\nTypeError: x is not a function\n ❯ lib/b.test.ts:9:3\n\nThis error originated in "lib/b.test.ts" test file.\n⎯⎯⎯⎯ Unhandled Source Error ⎯⎯⎯⎯⎯\nSyntaxError: Unexpected token\n\n⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯\n`;
    expect(unhandledErrors(two)).toEqual(["lib/b.test.ts: uncaught exception: TypeError: x is not a function", "outside any test file: unhandled source error: SyntaxError: Unexpected token"]);
  });

  it("finds nothing in a run without one", () => {
    expect(unhandledErrors(" ✓ lib/a.test.ts (3 tests) 10ms\n\n Test Files  1 passed (1)\n      Tests  3 passed (3)\n")).toEqual([]);
  });
});
