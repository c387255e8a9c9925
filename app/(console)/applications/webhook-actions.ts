"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { consoleAction, type ActionState } from "@/lib/auth/action";
import { getLatchkey } from "@/lib/server/latchkey";
import { ErrorCode, SessionError } from "@/lib/sessions/errors";
import { applicationIdSchema } from "@/lib/sessions/schemas";
import { WEBHOOK_EVENT_TYPES } from "@/lib/webhooks/events";

// Webhook endpoints: ADMIN only; what changes where events go, or who can sign them, needs a recent sign-in.
const ADMIN_ONLY = { roles: ["ADMIN"] as const, recentAuth: true };
const endpointId = z.string().min(1).max(64);
const pageOf = (app: string) => `/applications/${encodeURIComponent(app)}/webhooks`;

/** The application a form names: one that exists, never the console's own. */
async function applicationOf(app: string): Promise<string> {
  const found = await getLatchkey().engine.findClientApplication(app);
  if (!found || found.id !== app) throw new SessionError(ErrorCode.APP_NOT_FOUND, "No such application.");
  return found.id;
}

/** Checkbox fields named `type:<event>` → the list; none ticked is every type. */
const eventTypes = z.preprocess((value) => (Array.isArray(value) ? value : value ? [value] : []), z.array(z.enum(WEBHOOK_EVENT_TYPES)));

export const createWebhookAction = consoleAction(
  { ...ADMIN_ONLY, schema: z.object({ app: applicationIdSchema, url: z.string().trim().min(1, "enter the URL"), description: z.string().trim().max(200).optional(), eventTypes }).strict() },
  async ({ app, url, description, eventTypes: types }, session): Promise<ActionState<{ secret: string; url: string }>> => {
    const { endpoint, secret } = await getLatchkey().webhooks.endpoints.create(await applicationOf(app), { url, eventTypes: types, description: description || null }, session.actor);
    revalidatePath(pageOf(app));
    return { ok: true, message: `Added ${endpoint.url}.`, data: { secret, url: endpoint.url } };
  },
);

export const rotateWebhookSecretAction = consoleAction(
  { ...ADMIN_ONLY, schema: z.object({ app: applicationIdSchema, endpointId }).strict() },
  async ({ app, endpointId: id }, session): Promise<ActionState<{ secret: string; url: string }>> => {
    const { endpoint, secret } = await getLatchkey().webhooks.endpoints.rotateSecret(await applicationOf(app), id, {}, session.actor);
    revalidatePath(pageOf(app));
    return { ok: true, message: `New secret for ${endpoint.url}; the previous one signs beside it for a day.`, data: { secret, url: endpoint.url } };
  },
);

export const setWebhookDisabledAction = consoleAction(
  { ...ADMIN_ONLY, schema: z.object({ app: applicationIdSchema, endpointId, disabled: z.enum(["yes", "no"]) }).strict() },
  async ({ app, endpointId: id, disabled }, session) => {
    const endpoint = await getLatchkey().webhooks.endpoints.update(await applicationOf(app), id, { disabled: disabled === "yes" }, session.actor);
    revalidatePath(pageOf(app));
    return { ok: true, message: endpoint.disabledAt ? `${endpoint.url} is disabled: nothing is sent to it.` : `${endpoint.url} is enabled; what waited is sent now.` };
  },
);

export const deleteWebhookAction = consoleAction(
  { ...ADMIN_ONLY, schema: z.object({ app: applicationIdSchema, endpointId }).strict() },
  async ({ app, endpointId: id }, session) => {
    await getLatchkey().webhooks.endpoints.remove(await applicationOf(app), id, session.actor);
    revalidatePath(pageOf(app));
    return { ok: true, message: "Endpoint removed, with its delivery log." };
  },
);

export const testWebhookAction = consoleAction(
  { roles: ["ADMIN"] as const, schema: z.object({ app: applicationIdSchema, endpointId }).strict() },
  async ({ app, endpointId: id }, session) => {
    await getLatchkey().webhooks.endpoints.sendTest(await applicationOf(app), id, session.actor);
    revalidatePath(`${pageOf(app)}/${encodeURIComponent(id)}`);
    return { ok: true, message: "Test event queued: it shows in the delivery log within a second or two." };
  },
);

export const resendWebhookDeliveryAction = consoleAction(
  { roles: ["ADMIN"] as const, schema: z.object({ app: applicationIdSchema, endpointId, deliveryId: z.coerce.number().int().positive() }).strict() },
  async ({ app, endpointId: id, deliveryId }, session) => {
    await getLatchkey().webhooks.endpoints.resend(await applicationOf(app), deliveryId, session.actor);
    revalidatePath(`${pageOf(app)}/${encodeURIComponent(id)}`);
    return { ok: true, message: `Delivery ${deliveryId} queued again.` };
  },
);
