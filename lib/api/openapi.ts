import { z } from "zod";
import { endpoints, type Endpoint } from "./endpoints";
import { HTTP_STATUS, type ApiErrorCode } from "./errors";
import { errorOutput } from "./schemas";
import { API_SCOPES, SCOPE_DESCRIPTIONS } from "./scopes";

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as JsonSchema;
  delete json.$schema;
  return json;
}

function parametersOf(endpoint: Endpoint): JsonSchema[] {
  const parameters: JsonSchema[] = [];
  for (const [location, schema] of [
    ["path", endpoint.params],
    ["query", endpoint.query],
  ] as const) {
    if (!schema) continue;
    const json = schemaOf(schema, "input");
    const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required as string[] | undefined) ?? []);
    for (const [name, property] of Object.entries(properties)) {
      parameters.push({
        name,
        in: location,
        required: location === "path" || required.has(name),
        schema: property,
        ...(name === "status" && location === "query" ? { description: "comma-separated statuses", style: "form", explode: false } : {}),
      });
    }
  }
  return parameters;
}

function operationOf(endpoint: Endpoint): JsonSchema {
  const responses: Record<string, JsonSchema> = {
    [String(endpoint.response.status)]: {
      description: "Success",
      content: { "application/json": { schema: schemaOf(endpoint.response.schema, "output") } },
    },
  };
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const code of endpoint.errors) byStatus.set(HTTP_STATUS[code], [...(byStatus.get(HTTP_STATUS[code]) ?? []), code]);
  for (const [status, codes] of byStatus) {
    responses[String(status)] = {
      description: `Error: ${codes.join(", ")}`,
      content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
    };
  }
  return {
    operationId: endpoint.operationId,
    summary: endpoint.summary,
    ...(endpoint.scope === "any"
      ? { security: [{ apiKey: [] }] }
      : endpoint.scope
        ? { security: [{ apiKey: [endpoint.scope] }], "x-scope": endpoint.scope }
        : { security: [] }),
    parameters: parametersOf(endpoint),
    ...(endpoint.body
      ? {
          requestBody: {
            required: !endpoint.bodyOptional,
            content: { "application/json": { schema: schemaOf(endpoint.body, "input") } },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the HTTP API, generated from the endpoint table and its schemas. */
export function buildOpenApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const endpoint of Object.values(endpoints) as Endpoint[]) {
    paths[endpoint.path] ??= {};
    paths[endpoint.path]![endpoint.method.toLowerCase()] = operationOf(endpoint);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Latchkey API",
      version: "1.0.0",
      description:
        "Sessions for your applications. Authenticate with `Authorization: Bearer <api key>`. Errors are `{ \"error\": { \"code\", \"message\", \"details\" } }`.",
    },
    servers: [{ url: "/" }],
    paths,
    components: {
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description: `An API key (lka_…) created in the console or with npm run api-key. Scopes: ${API_SCOPES.map((scope) => `${scope} (${SCOPE_DESCRIPTIONS[scope]})`).join("; ")}.`,
        },
      },
      schemas: { Error: schemaOf(errorOutput, "output") },
    },
  };
}
