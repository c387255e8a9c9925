"use client";

import {
  createColumnHelper,
  flexRender,
  getCoreRowModel,
  useReactTable,
  type RowSelectionState,
  type VisibilityState,
} from "@tanstack/react-table";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useActionState, useEffect, useRef, useState, type ReactNode } from "react";
import type { ActionState } from "@/lib/auth/action";
import { userHref } from "@/lib/console/apps";
import { reasonWords } from "@/lib/sessions/words";
import { DeviceIcon } from "./device-icon";
import { FormStatus } from "./form-status";
import { RevokeReasonFields } from "./revoke-reason-fields";
import { RelativeTime } from "./relative-time";
import { ScrollRegion } from "./scroll-region";

/** One row of the sessions table, as the server hands it over (no secrets; times as ISO). */
export interface SessionRow {
  id: string;
  /** The application's id, and its name. */
  appId: string;
  app: string;
  user: string;
  userId: string;
  current: boolean;
  device: string;
  deviceType: string | null;
  ip: string | null;
  kind: string;
  tenantId: string | null;
  status: "active" | "idle-expired" | "absolute-expired" | "revoked";
  /** Revoked by a rotation: replaced by a newer token, which is no incident. */
  replaced: boolean;
  revokedReason: string | null;
  revokedBy: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  /** When it ended (revoked or expired); null while it is live. */
  endedAt: string | null;
  now: string;
}

type BulkRevoke = (state: ActionState, formData: FormData) => Promise<ActionState>;

const STATUS_STYLE: Record<SessionRow["status"], string> = {
  active: "bg-emerald-100 text-emerald-800",
  "idle-expired": "bg-amber-100 text-amber-800",
  "absolute-expired": "bg-orange-100 text-orange-800",
  revoked: "bg-red-100 text-red-800",
};

const STATUS_NOTE: Partial<Record<SessionRow["status"], string>> = {
  "idle-expired": "idle timeout",
  "absolute-expired": "maximum lifetime",
};

const column = createColumnHelper<SessionRow>();

/** A long value (an IPv6 address, a tenant, a device) that may wrap, so the table needs less room. */
function Wrapping({ children, width = "max-w-[12rem]" }: { children: ReactNode; width?: string }) {
  return <span className={`block min-w-[6rem] ${width} whitespace-normal [overflow-wrap:anywhere]`}>{children}</span>;
}

// Module scope: stable column definitions keep the table from re-rendering forever.
const columns = [
  column.display({
    id: "select",
    enableHiding: false,
    header: ({ table }) => (
      <input
        type="checkbox"
        aria-label="Select all sessions on this page"
        checked={table.getIsAllRowsSelected()}
        onChange={table.getToggleAllRowsSelectedHandler()}
      />
    ),
    cell: ({ row }) => (
      <input type="checkbox" aria-label={`Select session ${row.original.id}`} checked={row.getIsSelected()} onChange={row.getToggleSelectedHandler()} />
    ),
  }),
  column.accessor("app", { header: "App", cell: (info) => <span data-testid="session-app">{info.getValue()}</span> }),
  column.accessor("user", {
    header: "User",
    cell: (info) => (
      <Link href={userHref(info.row.original.appId, info.row.original.userId)} className="hover:underline">
        {info.getValue()}
      </Link>
    ),
  }),
  column.accessor("device", {
    header: "Device",
    cell: (info) => (
      <span className="flex items-center gap-1.5">
        <DeviceIcon type={info.row.original.deviceType} />
        <Wrapping>{info.getValue()}</Wrapping>
      </span>
    ),
  }),
  column.accessor("ip", { header: "IP", cell: (info) => <Wrapping width="max-w-[9rem]">{info.getValue() ?? "—"}</Wrapping> }),
  column.accessor("status", {
    header: "Status",
    cell: (info) => {
      const { status, revokedReason, revokedBy, replaced } = info.row.original;
      if (replaced) {
        return (
          <span className="flex flex-col gap-0.5">
            <span className="w-fit rounded bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700" data-testid="session-status">
              replaced
            </span>
            <span className="text-xs text-slate-500">by a newer token</span>
          </span>
        );
      }
      return (
        <span className="flex flex-col gap-0.5">
          <span className={`w-fit rounded px-2 py-0.5 text-xs font-medium ${STATUS_STYLE[status]}`} data-testid="session-status">
            {status}
          </span>
          {status === "revoked" ? (
            <span className="block max-w-[12rem] whitespace-normal text-xs text-slate-500 [overflow-wrap:anywhere]" data-testid="revoked-by">
              {reasonWords(revokedReason, null)} by {revokedBy}
            </span>
          ) : STATUS_NOTE[status] ? (
            <span className="text-xs text-slate-500">{STATUS_NOTE[status]}</span>
          ) : null}
        </span>
      );
    },
  }),
  column.accessor("kind", { header: "Kind" }),
  column.accessor("tenantId", { header: "Tenant", cell: (info) => <Wrapping width="max-w-[9rem]">{info.getValue() ?? "—"}</Wrapping> }),
  column.accessor("createdAt", { header: "Created", cell: (info) => <RelativeTime iso={info.getValue()} now={info.row.original.now} /> }),
  column.accessor("lastSeenAt", { header: "Last seen", cell: (info) => <RelativeTime iso={info.getValue()} now={info.row.original.now} /> }),
  column.accessor("expiresAt", {
    header: "Ends",
    cell: (info) => {
      const { endedAt, now } = info.row.original;
      return endedAt ? (
        <span>
          ended <RelativeTime iso={endedAt} now={now} />
        </span>
      ) : (
        <RelativeTime iso={info.getValue()} now={now} />
      );
    },
  }),
  column.accessor("id", {
    header: "Session",
    cell: (info) => (
      <Link href={`/sessions/${info.getValue()}`} className="font-mono text-xs hover:underline">
        {info.getValue()}
        {info.row.original.current ? <span className="mt-1 block w-fit rounded bg-sky-100 px-1.5 py-0.5 font-sans text-sky-800">this session</span> : null}
      </Link>
    ),
  }),
];

const HIDEABLE = columns.filter((definition) => definition.id !== "select").map((definition) => ({
  id: (definition.id ?? (definition as { accessorKey?: string }).accessorKey) as string,
  label: String(definition.header),
}));

const INITIAL: ActionState = { ok: false };

function BulkRevokeDialog({ ids, action, onDone }: { ids: string[]; action: BulkRevoke; onDone: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [state, submit, pending] = useActionState(action, INITIAL);
  useEffect(() => {
    if (state.ok) {
      dialog.current?.close();
      onDone();
    }
  }, [state, onDone]);
  return (
    <>
      <button
        type="button"
        disabled={ids.length === 0}
        onClick={() => dialog.current?.showModal()}
        className="rounded border border-red-300 px-3 py-1 text-sm text-red-700 hover:bg-red-50 disabled:opacity-40"
      >
        Revoke selected ({ids.length.toLocaleString("en-US")})
      </button>
      <FormStatus state={state.ok ? state : INITIAL} />
      <dialog ref={dialog} aria-labelledby="bulk-revoke-title" className="m-auto rounded-lg p-0 backdrop:bg-slate-900/40">
        <form action={submit} className="w-96 max-w-full space-y-3 p-5">
          <h2 id="bulk-revoke-title" className="font-semibold">
            Revoke {ids.length.toLocaleString("en-US")} {ids.length === 1 ? "session" : "sessions"}?
          </h2>
          <p className="text-sm text-slate-600">They are refused at once. The reason is kept in the audit log.</p>
          {ids.map((id) => (
            <input key={id} type="hidden" name="ids[]" value={id} />
          ))}
          <RevokeReasonFields state={state} />
          {state.error ? <FormStatus state={state} /> : null}
          <div className="flex justify-end gap-2">
            <button type="button" onClick={() => dialog.current?.close()} className="rounded border border-slate-300 px-3 py-1 text-sm">
              Cancel
            </button>
            <button type="submit" disabled={pending} className="rounded bg-red-700 px-3 py-1 text-sm text-white">
              Revoke
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}

/** The sessions table: column visibility kept in the URL (`hide`), row selection and bulk revoke. */
export function SessionsTable({ rows, bulkRevoke, label = "Sessions" }: { rows: SessionRow[]; bulkRevoke?: BulkRevoke; label?: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const [columnVisibility, setColumnVisibility] = useState<VisibilityState>(() =>
    Object.fromEntries((searchParams.get("hide") ?? "").split(",").filter(Boolean).map((id) => [id, false])),
  );
  const [rowSelection, setRowSelection] = useState<RowSelectionState>({});
  const table = useReactTable({
    data: rows,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (row) => row.id,
    state: { columnVisibility, rowSelection },
    enableRowSelection: (row) => row.original.status === "active",
    onRowSelectionChange: setRowSelection,
    onColumnVisibilityChange: (updater) => {
      const next = typeof updater === "function" ? updater(columnVisibility) : updater;
      setColumnVisibility(next);
      const params = new URLSearchParams(searchParams.toString());
      const hide = Object.entries(next)
        .filter(([, visible]) => !visible)
        .map(([id]) => id);
      if (hide.length > 0) params.set("hide", hide.join(","));
      else params.delete("hide");
      router.replace(`${pathname}?${params.toString()}`, { scroll: false });
    },
  });
  const selected = Object.keys(rowSelection).filter((id) => rowSelection[id]);

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-3">
        {bulkRevoke ? <BulkRevokeDialog ids={selected} action={bulkRevoke} onDone={() => setRowSelection({})} /> : null}
        <details className="relative text-sm">
          <summary className="cursor-pointer rounded border border-slate-300 px-3 py-1">Columns</summary>
          <div className="absolute z-10 mt-1 space-y-1 rounded border border-slate-200 bg-white p-3 shadow">
            {HIDEABLE.map(({ id, label }) => (
              <label key={id} className="flex items-center gap-2 whitespace-nowrap">
                <input type="checkbox" checked={table.getColumn(id)?.getIsVisible() ?? true} onChange={table.getColumn(id)?.getToggleVisibilityHandler()} />
                {label}
              </label>
            ))}
          </div>
        </details>
      </div>
      {rows.length === 0 ? (
        <p className="rounded border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">No sessions match.</p>
      ) : (
        <ScrollRegion label={label} className="rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <thead className="bg-slate-50">
              {table.getHeaderGroups().map((group) => (
                <tr key={group.id}>
                  {group.headers.map((header) => (
                    <th key={header.id} scope="col" className="px-3 py-2 text-left font-medium text-slate-700">
                      {flexRender(header.column.columnDef.header, header.getContext())}
                    </th>
                  ))}
                </tr>
              ))}
            </thead>
            <tbody className="divide-y divide-slate-100">
              {table.getRowModel().rows.map((row) => (
                <tr key={row.id} data-session-id={row.id}>
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id} className="whitespace-nowrap px-3 py-2 align-top">
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </div>
  );
}
