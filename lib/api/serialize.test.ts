import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { endpoints } from "./endpoints";
import { createAnswerSerializer } from "./serialize";
import { REVOKE_REASONS, SESSION_KINDS, SESSION_STATUSES } from "../sessions/types";

// The hot path writes its answers with serializers compiled from the endpoints' response schemas;
// a client must read exactly what JSON.stringify would have written.

/** Any text, lone surrogates, quotes, control characters and line separators included. */
const text = fc.string({ unit: "binary", maxLength: 40 });
const maybe = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: null });
const date = fc.date({ noInvalidDate: true });

const session = fc.record({
  id: text,
  appId: text,
  userId: text,
  kind: fc.constantFrom(...SESSION_KINDS),
  status: fc.constantFrom(...SESSION_STATUSES),
  tenantId: maybe(text),
  roles: fc.array(text, { maxLength: 4 }),
  deviceLabel: maybe(text),
  userAgent: maybe(text),
  browser: maybe(text),
  os: maybe(text),
  deviceType: maybe(text),
  ip: maybe(text),
  metadata: fc.dictionary(text, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
  createdAt: date,
  startedAt: date,
  lastSeenAt: date,
  authenticatedAt: maybe(date),
  idleTimeoutSeconds: fc.integer(),
  idleExpiresAt: date,
  absoluteExpiresAt: date,
  revokedAt: maybe(date),
  revokedReason: maybe(fc.oneof(fc.constantFrom(...REVOKE_REASONS), text)),
  revokedBy: maybe(text),
  revokeNote: maybe(text),
  familyId: text,
  rotatedFromId: maybe(text),
  rotatedToId: maybe(text),
  guestUserId: maybe(text),
});
const user = fc.record({ appId: text, id: text, email: maybe(text), name: maybe(text), consoleRole: maybe(text), mustChangePassword: fc.boolean(), disabledAt: maybe(date) });
const resolved = fc.record({
  authenticated: fc.boolean(),
  session: maybe(session),
  user: maybe(user),
  roles: fc.array(text, { maxLength: 4 }),
  tenantId: maybe(text),
  kind: maybe(fc.constantFrom(...SESSION_KINDS)),
  reason: maybe(text),
  code: maybe(text),
  revokedReason: maybe(text),
  revokedAt: maybe(date),
  revokedBy: maybe(text),
  revokeNote: maybe(text),
});

/** The answer as a client reads it. */
const read = (json: string): unknown => JSON.parse(json);

describe("createAnswerSerializer", () => {
  it.each([
    ["resolve", endpoints.resolveSession.response.schema, resolved],
    ["refresh", endpoints.refreshSession.response.schema, fc.record({ session, token: fc.option(text, { nil: undefined }) })],
    ["create", endpoints.createSession.response.schema, fc.record({ token: text, session })],
    ["guest", endpoints.createGuestSession.response.schema, fc.record({ token: text, session })],
    ["OAuth state", endpoints.issueOAuthState.response.schema, fc.record({ state: text, expiresAt: date })],
  ] as const)("writes %s answers as JSON.stringify does", (_name, schema, answers) => {
    const serialize = createAnswerSerializer(schema);
    fc.assert(
      fc.property(answers as fc.Arbitrary<unknown>, (answer) => {
        expect(read(serialize(answer))).toEqual(read(JSON.stringify(answer)));
      }),
    );
  });

  it("writes a resolve answer built in the schema's order to the very same text", () => {
    const at = new Date("2026-03-01T12:00:00.000Z");
    const answer = {
      authenticated: false,
      session: null,
      user: null,
      roles: [],
      tenantId: null,
      kind: null,
      reason: "REVOKED",
      code: "SESSION_REVOKED",
      revokedReason: "LOGGED_OUT_EVERYWHERE",
      revokedAt: at,
      revokedBy: "admin@example.com",
      revokeNote: 'ticket "4711"\n',
    };
    expect(createAnswerSerializer(endpoints.resolveSession.response.schema)(answer)).toBe(JSON.stringify(answer));
  });
});
