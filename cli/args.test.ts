import { describe, expect, it } from "vitest";
import { parseCommandArgs } from "./args";

const ID = "-aBcDeFgHiJkLmNoPqRsTu"; // a session id may start with a dash

describe("parseCommandArgs", () => {
  it("reads a session id starting with a dash as a value, wherever it stands", () => {
    expect(parseCommandArgs([ID, "--json"], {}).positionals).toEqual([ID]);
    expect(parseCommandArgs(["--reason", "ticket 1", ID], { reason: { type: "string" } })).toMatchObject({ values: { reason: "ticket 1" }, positionals: [ID] });
    expect(parseCommandArgs([ID, "Build", "server"], {}).positionals).toEqual([ID, "Build", "server"]);
    expect(parseCommandArgs(["--cursor", ID], { cursor: { type: "string" } }).values.cursor).toBe(ID);
    expect(parseCommandArgs(["--scope", "a", "--scope", "b"], { scope: { type: "string", multiple: true } }).values.scope).toEqual(["a", "b"]);
  });

  it("still refuses an option it does not know", () => {
    expect(() => parseCommandArgs(["--colour", "red"], {})).toThrow(/Unknown option '--colour'/);
  });
});
