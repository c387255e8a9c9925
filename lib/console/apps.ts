import type { Latchkey } from "../server/latchkey";
import { ALL_APPS, CONSOLE_APP_ID, type AppScope } from "../sessions/policy";

/** An application as the console's filters and columns show it. */
export interface AppChoice {
  id: string;
  name: string;
}

/** Every application and the console, by name: for filters, and to name the application of a row. */
export async function applicationChoices(latchkey: Latchkey): Promise<AppChoice[]> {
  // Names only: every console page asks, and counting each application's live sessions reads them all.
  const apps = await latchkey.engine.listApplicationNames();
  return [...apps.map((app) => ({ id: app.id, name: app.name })), { id: CONSOLE_APP_ID, name: "console" }];
}

export function appNames(choices: AppChoice[]): Map<string, string> {
  return new Map(choices.map((choice) => [choice.id, choice.name]));
}

/** The scope a console page's `app` filter names: one known application, or every one. */
export function scopeOfFilter(value: string | undefined, choices: AppChoice[]): AppScope {
  return value && choices.some((choice) => choice.id === value) ? value : ALL_APPS;
}

/** A user's page: ids are per application, so both are in the path (each encoded). */
export function userHref(appId: string, userId: string): string {
  return `/users/${encodeURIComponent(appId)}/${encodeURIComponent(userId)}`;
}

/** A path segment back to the id it encodes, or null when it does not decode. */
export function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** Emails of the people audit events name, by userKey: for naming them in timelines. */
export async function emailsOfEvents(latchkey: Latchkey, events: { appId: string; userId: string | null }[]): Promise<Map<string, string>> {
  const users = events.filter((event): event is { appId: string; userId: string } => event.userId !== null);
  return latchkey.users.findEmails(users.map(({ appId, userId }) => ({ appId, userId })));
}
