// What the application routes share: the application named in the path, for ADMIN console accounts.
import type { Latchkey } from "../server/latchkey";
import type { ApplicationRecord } from "../sessions/policy";
import { ApiError } from "./errors";

/** The application `{id}` names (its id or name), or a 404; never the console's own. */
export async function applicationNamed(latchkey: Latchkey, idOrName: string): Promise<ApplicationRecord> {
  const found = await latchkey.engine.findClientApplication(idOrName);
  if (!found) throw new ApiError("APP_NOT_FOUND", "No such application.");
  return found;
}

/** The id of the application `{id}` names, or a 404; never the console's own. */
export async function applicationOf(latchkey: Latchkey, idOrName: string): Promise<string> {
  return (await applicationNamed(latchkey, idOrName)).id;
}
