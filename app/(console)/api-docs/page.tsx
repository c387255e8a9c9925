import type { Metadata } from "next";
import { requireConsoleSession } from "@/lib/auth/session";
import { curlExample, exampleBody } from "@/lib/api/examples";
import { buildOpenApiDocument } from "@/lib/api/openapi";

export const metadata: Metadata = { title: "API" };

type Operation = {
  operationId: string;
  summary: string;
  "x-scope"?: string;
  parameters: { name: string; in: string; required: boolean; schema: unknown }[];
  requestBody?: { required: boolean; content: { "application/json": { schema: Parameters<typeof exampleBody>[0] } } };
  responses: Record<string, { description: string }>;
};

const METHOD_STYLE: Record<string, string> = {
  get: "bg-sky-100 text-sky-800",
  post: "bg-emerald-100 text-emerald-800",
  patch: "bg-amber-100 text-amber-800",
  delete: "bg-red-100 text-red-800",
};

export default async function ApiDocsPage() {
  await requireConsoleSession(["ADMIN", "SUPPORT"]);
  const document = buildOpenApiDocument() as { paths: Record<string, Record<string, Operation>> };
  const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
  );
  return (
    <section className="space-y-6">
      <div>
        <h1 className="text-xl font-semibold">HTTP API</h1>
        <p className="text-sm text-slate-600">
          JSON over <code>/api/v1</code>, authenticated with <code>Authorization: Bearer &lt;api key&gt;</code>. Errors are{" "}
          <code>{'{ "error": { "code", "message", "details" } }'}</code>. The machine-readable document is at{" "}
          <a className="underline" href="/api/v1/openapi.json">
            /api/v1/openapi.json
          </a>
          .
        </p>
      </div>
      <nav aria-label="Endpoints" className="flex flex-wrap gap-2 text-xs">
        {operations.map(({ operation }) => (
          <a key={operation.operationId} href={`#${operation.operationId}`} className="rounded border border-slate-300 bg-white px-2 py-1 hover:bg-slate-100">
            {operation.operationId}
          </a>
        ))}
      </nav>
      {operations.map(({ path, method, operation }) => {
        const body = operation.requestBody ? exampleBody(operation.requestBody.content["application/json"].schema) : null;
        return (
          <article key={operation.operationId} id={operation.operationId} className="space-y-2 rounded-lg border border-slate-200 bg-white p-4">
            <h2 className="flex min-w-0 flex-wrap items-center gap-2 font-mono text-sm">
              <span className={`rounded px-2 py-0.5 font-semibold uppercase ${METHOD_STYLE[method] ?? ""}`}>{method}</span>
              <span className="min-w-0 [overflow-wrap:anywhere]">{path}</span>
              {operation["x-scope"] ? <span className="rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-700">scope {operation["x-scope"]}</span> : <span className="rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-700">no key needed</span>}
            </h2>
            <p className="text-sm">{operation.summary}</p>
            {operation.parameters.length > 0 ? (
              <p className="text-xs text-slate-600">
                Parameters: {operation.parameters.map((parameter) => `${parameter.name} (${parameter.in}${parameter.required ? ", required" : ""})`).join(", ")}
              </p>
            ) : null}
            <p className="text-xs text-slate-600">
              Responses: {Object.entries(operation.responses).map(([status, response]) => `${status} ${response.description}`).join(" · ")}
            </p>
            <pre className="whitespace-pre-wrap rounded bg-slate-900 p-3 text-xs text-slate-100 [overflow-wrap:anywhere]">{curlExample(method.toUpperCase(), path, body)}</pre>
          </article>
        );
      })}
    </section>
  );
}
