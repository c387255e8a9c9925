import { describe, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import type * as client from "@latchkey/client";
import type * as api from "./schemas";

// @latchkey/client states the API's JSON in plain types (it depends on no schema library); these
// checks, run by the type-check, keep them the server's own. A failing line names the shape.

describe("the client package's types", () => {
  it("are exactly the API's answers", () => {
    expectTypeOf<client.SessionJson>().toEqualTypeOf<z.output<typeof api.sessionOutput>>();
    expectTypeOf<client.IssuedSessionJson>().toEqualTypeOf<z.output<typeof api.issuedSessionOutput>>();
    expectTypeOf<client.IssuedServiceSessionJson>().toEqualTypeOf<z.output<typeof api.issuedServiceSessionOutput>>();
    expectTypeOf<client.ResolveJson>().toEqualTypeOf<z.output<typeof api.resolveOutput>>();
    expectTypeOf<client.RefreshJson>().toEqualTypeOf<z.output<typeof api.refreshOutput>>();
    expectTypeOf<client.SessionPageJson>().toEqualTypeOf<z.output<typeof api.sessionPageOutput>>();
    expectTypeOf<client.SweepJson>().toEqualTypeOf<z.output<typeof api.sweepOutput>>();
    // Field by field equal; as a whole compared both ways (expect-type's deep brand trips on it).
    expectTypeOf<client.DiagnosisJson>().toExtend<z.output<typeof api.diagnosisOutput>>();
    expectTypeOf<z.output<typeof api.diagnosisOutput>>().toExtend<client.DiagnosisJson>();
    expectTypeOf<client.AccessTokenJson>().toEqualTypeOf<z.output<typeof api.accessTokenOutput>>();
    expectTypeOf<client.WhoamiJson>().toEqualTypeOf<z.output<typeof api.whoamiOutput>>();
    expectTypeOf<client.StatisticsJson>().toEqualTypeOf<z.output<typeof api.statisticsOutput>>();
    expectTypeOf<client.ApplicationJson>().toEqualTypeOf<z.output<typeof api.applicationOutput>>();
    expectTypeOf<client.ApplicationListJson>().toEqualTypeOf<z.output<typeof api.applicationListOutput>>();
    expectTypeOf<client.PolicyPreviewJson>().toEqualTypeOf<z.output<typeof api.policyPreviewOutput>>();
    expectTypeOf<client.UpdatedApplicationJson>().toEqualTypeOf<z.output<typeof api.updatedApplicationOutput>>();
    expectTypeOf<client.RevokeByFilterJson>().toEqualTypeOf<z.output<typeof api.revokeByFilterOutput>>();
    expectTypeOf<client.WebhookEndpointJson>().toEqualTypeOf<z.output<typeof api.webhookEndpointOutput>>();
    expectTypeOf<client.WebhookDeliveryJson>().toEqualTypeOf<z.output<typeof api.webhookDeliveryOutput>>();
  });

  it("send only what the API accepts", () => {
    expectTypeOf<client.CreateSessionBody>().toEqualTypeOf<z.input<typeof api.createSessionBody>>();
    expectTypeOf<client.CreateGuestBody>().toEqualTypeOf<z.input<typeof api.createGuestBody>>();
    expectTypeOf<client.CreateServiceBody>().toEqualTypeOf<z.input<typeof api.createServiceBody>>();
    expectTypeOf<client.RevokeBody>().toEqualTypeOf<z.input<typeof api.revokeBody>>();
    expectTypeOf<client.RevokeUserBody>().toEqualTypeOf<z.input<typeof api.revokeUserBody>>();
    expectTypeOf<client.DiagnoseBody>().toEqualTypeOf<z.input<typeof api.diagnoseBody>>();
    expectTypeOf<client.PolicyChange>().toEqualTypeOf<z.input<typeof api.policyPreviewBody>["policy"]>();
    expectTypeOf<client.CreateApplicationBody>().toEqualTypeOf<z.input<typeof api.createApplicationBody>>();
    expectTypeOf<client.UpdateApplicationBody>().toEqualTypeOf<z.input<typeof api.updateApplicationBody>>();
    expectTypeOf<client.CreateWebhookBody>().toEqualTypeOf<z.input<typeof api.createWebhookBody>>();
    expectTypeOf<client.UpdateWebhookBody>().toEqualTypeOf<z.input<typeof api.updateWebhookBody>>();
    // Dates there are read leniently by the server (ISO or "2026-11-30 14:00"): the client sends strings.
    expectTypeOf<client.RevokeByFilterBody>().toExtend<z.input<typeof api.revokeByFilterBody>>();
    expectTypeOf<keyof client.SessionFilterJson>().toEqualTypeOf<keyof z.input<typeof api.revokeByFilterBody>["filter"]>();
  });
});
