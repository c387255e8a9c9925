import type { Metadata } from "next";
import { formatExact } from "@/components/format";
import { SimpleTable } from "@/components/simple-table";
import { requireConsoleSession } from "@/lib/auth/session";
import { getLatchkey } from "@/lib/server/latchkey";
import { CreateAccountForm, DisableForm, ResetPasswordForm, RoleForm } from "./_components/account-forms";

export const metadata: Metadata = { title: "Accounts" };

export default async function AccountsPage() {
  const session = await requireConsoleSession(["ADMIN"]);
  const accounts = await getLatchkey().users.listConsoleAccounts();
  return (
    <section className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold">Console accounts</h1>
        <p className="text-sm text-slate-600">
          ADMIN: everything. SUPPORT: sessions and users, no settings. USER: their own devices. Changing a role or disabling an account ends its sessions.
        </p>
      </div>
      <CreateAccountForm />
      <SimpleTable label="Console accounts" headings={["Email", "Name", "Role", "Status", "Created", ""]}>
        {accounts.map((account) => (
          <tr key={account.id} data-account={account.email}>
            <td className="px-3 py-2">{account.email}</td>
            <td className="px-3 py-2">{account.name ?? "—"}</td>
            <td className="px-3 py-2">
              <RoleForm userId={account.id} role={account.role} email={account.email} />
            </td>
            <td className="px-3 py-2" data-testid="account-status">
              {account.disabledAt ? "disabled" : account.mustChangePassword ? "one-time password" : "active"}
            </td>
            <td className="px-3 py-2">{formatExact(account.createdAt.toISOString())}</td>
            <td className="px-3 py-2">
              <div className="flex flex-wrap items-start gap-2">
                {account.id === session.userId ? null : <ResetPasswordForm userId={account.id} email={account.email} />}
                <DisableForm userId={account.id} disabled={account.disabledAt !== null} email={account.email} />
              </div>
            </td>
          </tr>
        ))}
      </SimpleTable>
    </section>
  );
}
