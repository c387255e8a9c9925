import type { SigningKeyRecord, SigningKeyStore } from "../sessions/access-tokens";
import type { Database } from "./client";

/** Signing keys of access tokens (the private halves arrive and leave encrypted). */
export function createSigningKeyRepository({ prisma }: Database): SigningKeyStore {
  return {
    async insertSigningKey(key: SigningKeyRecord) {
      await prisma.signingKey.create({ data: key });
    },
    listSigningKeys: (now: Date) =>
      prisma.signingKey.findMany({ where: { expiresAt: { gt: now } }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] }),
  };
}
