import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_PROVIDER, type TestDatabase } from "../testing/database";
import { createApiKeyRepository } from "./api-key-repository";

// API keys as the API checks them on every call: from a short per-process cache of rows and views.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const event = { appId: "default", at: new Date(), type: "api_key.created" as const, actor: { type: "system" as const, label: "test" } };

describe(`API keys on ${TEST_PROVIDER}`, () => {
  it("authenticate their own text only, and show no secret", async () => {
    const keys = createApiKeyRepository(db.database);
    const { key, apiKey } = await keys.createApiKey({ appId: "default", name: "ci", scopes: ["sessions:read"], createdBy: null, at: new Date() }, event);
    const view = await keys.authenticateApiKey(key);
    expect(view).toEqual(apiKey);
    expect(view).not.toHaveProperty("secretHash");
    expect(await keys.authenticateApiKey(`${key.slice(0, -1)}${key.endsWith("A") ? "B" : "A"}`)).toBeNull();
    expect(await keys.authenticateApiKey("lka_nothing.here")).toBeNull();
  });

  it("give every caller the same view, which none can change for the next", async () => {
    const keys = createApiKeyRepository(db.database);
    const { key } = await keys.createApiKey({ appId: "default", name: "shared", scopes: ["sessions:read"], createdBy: null, at: new Date() }, event);
    const first = (await keys.authenticateApiKey(key))!;
    expect(() => first.scopes.push("sessions:write")).toThrow(TypeError);
    expect(() => Object.assign(first, { appId: "other" })).toThrow(TypeError);
    expect(await keys.authenticateApiKey(key)).toMatchObject({ appId: "default", scopes: ["sessions:read"] });
  });

  it("are refused at once once this process revokes them, cache or not", async () => {
    const keys = createApiKeyRepository(db.database);
    const { key, apiKey } = await keys.createApiKey({ appId: "default", name: "revoked", scopes: ["sessions:read"], createdBy: null, at: new Date() }, event);
    expect(await keys.authenticateApiKey(key)).not.toBeNull();
    expect(await keys.revokeApiKey(apiKey.id, new Date(), { ...event, type: "api_key.revoked" })).toBe(true);
    expect(await keys.authenticateApiKey(key)).toBeNull();
  });
});
