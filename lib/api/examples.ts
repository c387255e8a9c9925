type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; required?: string[]; enum?: unknown[]; default?: unknown; anyOf?: JsonSchema[]; items?: JsonSchema; minimum?: number };

const SAMPLE_VALUES: Record<string, unknown> = {
  userId: "user_123",
  token: "lks_<session id>.<secret>",
  state: "lko_<state id>.<secret>",
  tenantId: "acme",
  deviceLabel: "Work laptop",
  userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Version/17.4 Safari/605.1.15",
  ip: "203.0.113.7",
  roles: ["member"],
  metadata: { plan: "pro" },
  data: { returnTo: "/dashboard" },
  note: "ticket 4711",
  ttlSeconds: 600,
  dryRun: true,
};

/** A small example body for a request schema: required fields and a few telling optional ones. */
export function exampleBody(schema: JsonSchema | undefined): Record<string, unknown> {
  const example: Record<string, unknown> = {};
  if (!schema?.properties) return example;
  const required = new Set(schema.required ?? []);
  for (const [name, property] of Object.entries(schema.properties)) {
    if (!required.has(name) && !["userAgent", "ip", "deviceLabel", "data", "dryRun", "note"].includes(name)) continue;
    if (name in SAMPLE_VALUES) example[name] = SAMPLE_VALUES[name];
    else if (property.enum) example[name] = property.enum[0];
    else if (property.default !== undefined) example[name] = property.default;
    else example[name] = property.type === "number" || property.type === "integer" ? (property.minimum ?? 1) : property.type === "boolean" ? false : "…";
  }
  return example;
}

/** A curl command for an operation, with placeholders for the key and path parameters. */
export function curlExample(method: string, path: string, body: Record<string, unknown> | null): string {
  const url = `$LATCHKEY_URL${path.replace("{id}", "<session id>").replace("{userId}", "user_123")}`;
  const lines = [`curl -X ${method} "${url}"`, `  -H "Authorization: Bearer $LATCHKEY_API_KEY"`];
  if (body) lines.push(`  -H "Content-Type: application/json"`, `  -d '${JSON.stringify(body)}'`);
  return lines.join(" \\\n");
}
