// GET /api/v1/apps/{id} — one application; PATCH — rename, disable or enable it, change its policy
import { endpoints } from "@/lib/api/endpoints";
import { apiRoute, json } from "@/lib/api/handler";
import { applicationNamed } from "@/lib/api/webhooks";
import { startPolicyApplication } from "@/lib/server/bulk-jobs";

export const GET = apiRoute(endpoints.getApplication, async ({ latchkey, params }) => {
  return json({ application: await applicationNamed(latchkey, params.id) });
});

export const PATCH = apiRoute(endpoints.updateApplication, async ({ latchkey, params, body, actor }) => {
  const { engine } = latchkey;
  const found = await applicationNamed(latchkey, params.id);
  if (body.name !== undefined) await engine.renameApplication(found.id, body.name, actor);
  if (body.disabled !== undefined) await engine.setApplicationDisabled(found.id, body.disabled, actor);
  let impact = null;
  let jobId = null;
  if (body.policy !== undefined) {
    const change = await engine.changePolicy(found.id, body.policy, actor);
    impact = change.impact;
    jobId = startPolicyApplication(found.id, found.name, change.changeId, actor).id;
  }
  return json({ application: await engine.getApplication(found.id), impact, jobId });
});
