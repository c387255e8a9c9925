import type { Metadata } from "next";
import { formatExact } from "@/components/format";
import { SimpleTable } from "@/components/simple-table";
import { requireConsoleSession } from "@/lib/auth/session";
import { getLatchkey } from "@/lib/server/latchkey";
import { CreateKeyForm } from "./_components/create-key-form";
import { CreateServiceSessionForm } from "./_components/create-service-session-form";
import { RevokeKeyButton } from "./_components/revoke-key-button";

export const metadata: Metadata = { title: "API keys" };

export default async function ApiKeysPage() {
  await requireConsoleSession(["ADMIN"]);
  const latchkey = getLatchkey();
  const [keys, apps] = await Promise.all([latchkey.apiKeys.listApiKeys(), latchkey.engine.listApplicationNames()]);
  const choices = apps.map((app) => ({ id: app.id, name: app.name }));
  const byApp = apps.map((app) => ({ app, keys: keys.filter((key) => key.appId === app.id) })).filter((group) => group.keys.length > 0);
  return (
    <section className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold">API keys</h1>
        <p className="text-sm text-slate-600">
          Applications call the HTTP API with <code>Authorization: Bearer &lt;key&gt;</code>. A key belongs to one application and reaches
          nothing outside it. Only a hash of each key is kept.
        </p>
      </div>
      <CreateKeyForm apps={choices} />
      <CreateServiceSessionForm apps={choices} />
      {byApp.length === 0 ? (
        <p className="rounded border border-dashed border-slate-300 bg-white p-6 text-center text-slate-600">No API keys yet.</p>
      ) : (
        byApp.map(({ app, keys: appKeys }) => (
        <section key={app.id} className="space-y-2" data-app-keys={app.name}>
        <h2 className="font-medium">
          {app.name}
          {app.disabledAt ? <span className="ml-2 text-sm font-normal text-red-700">(disabled: its keys are refused)</span> : null}
        </h2>
        <SimpleTable label={`Keys of ${app.name}`} headings={["Name", "Id", "Scopes", "Created", "Last used", "Status", ""]}>
          {appKeys.map((key) => (
            <tr key={key.id} data-api-key={key.name}>
              <td className="px-3 py-2">{key.name}</td>
              <td className="px-3 py-2 font-mono text-xs">{key.id}</td>
              <td className="px-3 py-2 font-mono text-xs">{key.scopes.join(", ")}</td>
              <td className="px-3 py-2">{formatExact(key.createdAt.toISOString())}{key.createdBy ? ` by ${key.createdBy}` : ""}</td>
              <td className="px-3 py-2">{key.lastUsedAt ? formatExact(key.lastUsedAt.toISOString()) : "never"}</td>
              <td className="px-3 py-2" data-testid="api-key-status">{key.revokedAt ? "revoked" : "active"}</td>
              <td className="px-3 py-2">{key.revokedAt ? null : <RevokeKeyButton id={key.id} name={key.name} />}</td>
            </tr>
          ))}
        </SimpleTable>
        </section>
        ))
      )}
    </section>
  );
}
