import type { ApiScope } from "../api/scopes";
import { issueToken, parseToken, secretMatches } from "../sessions/tokens";
import type { AuditEventInput } from "../sessions/types";
import { auditEventRow } from "./audit";
import type { Database } from "./client";
import type { ApiKeyRow } from "./hot-statements";

/** An API key as shown to people: never its secret or hash. */
export interface ApiKeyView {
  id: string;
  /** The application the key belongs to: the only one it reaches. */
  appId: string;
  name: string;
  scopes: ApiScope[];
  createdAt: Date;
  createdBy: string | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const VIEW_FIELDS = { id: true, appId: true, name: true, scopes: true, createdAt: true, createdBy: true, lastUsedAt: true, revokedAt: true } as const;

function toView(row: { id: string; appId: string; name: string; scopes: string; createdAt: Date; createdBy: string | null; lastUsedAt: Date | null; revokedAt: Date | null }): ApiKeyView {
  return { ...row, scopes: JSON.parse(row.scopes) as ApiScope[] };
}

/** API keys: `lka_<id>.<secret>`, stored as the hash of the secret. */
/** How long this process trusts an API key it has checked; its own revocations apply at once. */
const KEY_CACHE_MS = 1_000;

export function createApiKeyRepository({ prisma }: Database, { findRow }: { findRow?: (id: string) => Promise<ApiKeyRow | null> } = {}) {
  const readRow =
    findRow ?? ((id: string) => prisma.apiKey.findUnique({ where: { id }, select: { ...VIEW_FIELDS, secretHash: true } }));
  // With the row, its view: every call of a key within KEY_CACHE_MS gets the same (frozen) one.
  const checked = new Map<string, { row: ApiKeyRow | null; view: Readonly<ApiKeyView> | null; at: number }>();
  async function keyOf(id: string): Promise<{ row: ApiKeyRow | null; view: Readonly<ApiKeyView> | null }> {
    const now = Date.now();
    const held = checked.get(id);
    if (held && now - held.at < KEY_CACHE_MS) return held;
    const row = await readRow(id);
    let view: Readonly<ApiKeyView> | null = null;
    if (row) {
      const { secretHash: _hash, ...fields } = row;
      const { scopes, ...rest } = toView(fields);
      view = Object.freeze({ ...rest, scopes: Object.freeze(scopes) as ApiScope[] });
    }
    if (checked.size >= 10_000) checked.clear();
    const entry = { row, view, at: now };
    checked.set(id, entry);
    return entry;
  }
  return {
    /** Creates a key and returns its full text, once. */
    async createApiKey(
      input: { appId: string; name: string; scopes: ApiScope[]; createdBy: string | null; at: Date },
      event: AuditEventInput,
    ): Promise<{ key: string; apiKey: ApiKeyView }> {
      const issued = issueToken("apiKey");
      const row = await prisma.$transaction(async (tx) => {
        const created = await tx.apiKey.create({
          data: {
            id: issued.id,
            appId: input.appId,
            name: input.name,
            secretHash: issued.secretHash,
            scopes: JSON.stringify(input.scopes),
            createdAt: input.at,
            createdBy: input.createdBy,
          },
          select: VIEW_FIELDS,
        });
        await tx.auditEvent.create({ data: auditEventRow({ ...event, details: { ...event.details, apiKeyId: issued.id } }) });
        return created;
      });
      return { key: issued.token, apiKey: toView(row) };
    },

    /** The live key a presented text names, or null; the comparison is constant-time. */
    async authenticateApiKey(presented: unknown): Promise<ApiKeyView | null> {
      const parsed = parseToken("apiKey", presented);
      if (!parsed) return null;
      const { row, view } = await keyOf(parsed.id);
      if (!row || !view || row.revokedAt || !secretMatches(parsed.secret, row.secretHash)) return null;
      return view;
    },

    async markApiKeyUsed(id: string, at: Date): Promise<void> {
      await prisma.apiKey.updateMany({ where: { id }, data: { lastUsedAt: at } });
    },

    /** Every key, or one application's, newest first. */
    async listApiKeys(appId?: string): Promise<ApiKeyView[]> {
      const rows = await prisma.apiKey.findMany({ where: appId ? { appId } : {}, select: VIEW_FIELDS, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
      return rows.map(toView);
    },

    /** One key, without its secret; null when there is none. */
    async findApiKey(id: string): Promise<ApiKeyView | null> {
      const row = await prisma.apiKey.findUnique({ where: { id }, select: VIEW_FIELDS });
      return row ? toView(row) : null;
    },

    /** Revokes a key; false if it does not exist or was already revoked. */
    async revokeApiKey(id: string, at: Date, event: AuditEventInput): Promise<boolean> {
      const revoked = await prisma.$transaction(async (tx) => {
        const result = await tx.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at } });
        if (result.count !== 1) return false;
        await tx.auditEvent.create({ data: auditEventRow({ ...event, details: { ...event.details, apiKeyId: id } }) });
        return true;
      });
      checked.delete(id);
      return revoked;
    },
  };
}

export type ApiKeyRepository = ReturnType<typeof createApiKeyRepository>;
