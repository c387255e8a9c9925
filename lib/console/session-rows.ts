import type { SessionRow } from "@/components/sessions-table";
import { userKey } from "../sessions/types";
import type { SessionView } from "../sessions/types";
import { describeDevice } from "../sessions/user-agent";
import { describeActor, plainAddress } from "../sessions/words";

/**
 * Table rows for sessions: people named by email where known (`emails` by userKey), applications
 * by name, times as ISO, nothing secret.
 */
export function toSessionRows(items: SessionView[], emails: Map<string, string>, appNames: Map<string, string>, currentSessionId: string, now: Date): SessionRow[] {
  return items.map((item) => ({
    id: item.id,
    appId: item.appId,
    app: appNames.get(item.appId) ?? item.appId,
    user: emails.get(userKey(item.appId, item.userId)) ?? item.userId,
    userId: item.userId,
    current: item.id === currentSessionId,
    device: item.deviceLabel ?? describeDevice(item) ?? "Unknown device",
    deviceType: item.deviceType,
    ip: item.ip === null ? null : plainAddress(item.ip),
    kind: item.kind,
    tenantId: item.tenantId,
    status: item.status,
    replaced: item.revokedReason === "ROTATED",
    revokedReason: item.revokedReason,
    revokedBy: item.revokedBy === null ? null : describeActor(item.revokedBy),
    createdAt: item.createdAt.toISOString(),
    lastSeenAt: item.lastSeenAt.toISOString(),
    expiresAt: (item.idleExpiresAt < item.absoluteExpiresAt ? item.idleExpiresAt : item.absoluteExpiresAt).toISOString(),
    endedAt: item.status === "active" ? null : (item.revokedAt ?? (item.idleExpiresAt < item.absoluteExpiresAt ? item.idleExpiresAt : item.absoluteExpiresAt)).toISOString(),
    now: now.toISOString(),
  }));
}
