// What the webhook routes share: the application named in the path, for ADMIN console accounts.
import type { Latchkey } from "../server/latchkey";
import { ApiError } from "./errors";

/** The application `{id}` names (its id or name), or a 404; never the console's own. */
export async function applicationOf(latchkey: Latchkey, idOrName: string): Promise<string> {
  const found = await latchkey.engine.findApplication(idOrName);
  if (!found || found.id === "console") throw new ApiError("APP_NOT_FOUND", "No such application.");
  return found.id;
}
