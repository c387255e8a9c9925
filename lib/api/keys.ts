import { z } from "zod";
import type { ApiKeyRepository } from "../db/api-key-repository";
import type { SessionEngine } from "../sessions/engine";
import { ErrorCode, SessionError } from "../sessions/errors";
import { CONSOLE_APP_ID } from "../sessions/policy";
import { applicationIdSchema, parseInput } from "../sessions/schemas";
import type { Actor } from "../sessions/types";
import { API_SCOPES } from "./scopes";

/** A new API key's name and scopes: the console's form, the CLI and tests share it. */
export const createApiKeySchema = z
  .object({
    appId: applicationIdSchema,
    name: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters").regex(/^[^\p{Cc}]*$/u, "must not contain control characters"),
    scopes: z
      .array(z.enum(API_SCOPES), { error: (issue) => (issue.input === undefined ? "choose at least one scope" : "must be a list of scopes") })
      .min(1, "choose at least one scope")
      .max(API_SCOPES.length),
  })
  .strict();
export type CreateApiKeyInput = z.input<typeof createApiKeySchema>;

/**
 * Creates an API key of an application (validated, audited) and returns its text once. The
 * console is not an application: no key belongs to it.
 */
export async function createApiKey(repository: ApiKeyRepository, engine: SessionEngine, input: CreateApiKeyInput, actor: Actor, at = new Date()) {
  const valid = parseInput(createApiKeySchema, input);
  const app = valid.appId === CONSOLE_APP_ID ? null : await engine.getApplication(valid.appId);
  if (!app) {
    throw new SessionError(ErrorCode.VALIDATION_FAILED, "Invalid input: appId: is not an application (API keys belong to an application, never to the console).", {
      issues: [{ field: "appId", message: "is not an application" }],
    });
  }
  const scopes = [...new Set(valid.scopes)];
  return repository.createApiKey(
    { appId: app.id, name: valid.name, scopes, createdBy: actor.label ?? actor.id ?? null, at },
    { appId: app.id, at, type: "api_key.created", actor, details: { name: valid.name, scopes } },
  );
}

/** Revokes an API key; false when it does not exist or was revoked already. */
export async function revokeApiKey(repository: ApiKeyRepository, id: string, actor: Actor, at = new Date()) {
  if (!/^[A-Za-z0-9_-]{22}$/.test(id)) return false;
  const key = await repository.findApiKey(id);
  if (!key) return false;
  return repository.revokeApiKey(id, at, { appId: key.appId, at, type: "api_key.revoked", actor });
}
