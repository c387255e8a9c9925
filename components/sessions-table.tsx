"use client";

import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { RelativeTime } from "./relative-time";

/** One row of the sessions table, as the server hands it over (no secrets; times as ISO). */
export interface SessionRow {
  id: string;
  user: string;
  current: boolean;
  device: string;
  deviceType: string | null;
  ip: string | null;
  status: "active" | "idle-expired" | "absolute-expired" | "revoked";
  revokedReason: string | null;
  revokedBy: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  now: string;
}

const STATUS_STYLE: Record<SessionRow["status"], string> = {
  active: "bg-emerald-100 text-emerald-800",
  "idle-expired": "bg-amber-100 text-amber-800",
  "absolute-expired": "bg-orange-100 text-orange-800",
  revoked: "bg-red-100 text-red-800",
};

const column = createColumnHelper<SessionRow>();

// Module scope: stable column definitions keep the table from re-rendering forever.
const columns = [
  column.accessor("id", {
    header: "Session",
    cell: (info) => (
      <span className="font-mono text-xs">
        {info.getValue()}
        {info.row.original.current ? (
          <span className="ml-2 rounded bg-sky-100 px-1.5 py-0.5 font-sans text-sky-800">this session</span>
        ) : null}
      </span>
    ),
  }),
  column.accessor("user", { header: "User" }),
  column.accessor("device", {
    header: "Device",
    cell: (info) => (
      <span>
        {info.getValue()}
        {info.row.original.deviceType ? <span className="ml-1 text-xs text-slate-500">({info.row.original.deviceType})</span> : null}
      </span>
    ),
  }),
  column.accessor("ip", { header: "IP", cell: (info) => info.getValue() ?? "—" }),
  column.accessor("status", {
    header: "Status",
    cell: (info) => {
      const { status, revokedReason, revokedBy } = info.row.original;
      return (
        <span className="flex flex-col gap-0.5">
          <span className={`w-fit rounded px-2 py-0.5 text-xs font-medium ${STATUS_STYLE[status]}`} data-testid="session-status">
            {status}
          </span>
          {status === "revoked" ? (
            <span className="text-xs text-slate-500">
              {revokedReason} by {revokedBy}
            </span>
          ) : null}
        </span>
      );
    },
  }),
  column.accessor("createdAt", { header: "Created", cell: (info) => <RelativeTime iso={info.getValue()} now={info.row.original.now} /> }),
  column.accessor("lastSeenAt", { header: "Last seen", cell: (info) => <RelativeTime iso={info.getValue()} now={info.row.original.now} /> }),
  column.accessor("expiresAt", { header: "Expires", cell: (info) => <RelativeTime iso={info.getValue()} now={info.row.original.now} /> }),
];

export function SessionsTable({ rows }: { rows: SessionRow[] }) {
  const table = useReactTable({ data: rows, columns, getCoreRowModel: getCoreRowModel(), getRowId: (row) => row.id });
  if (rows.length === 0) {
    return <p className="rounded border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">No sessions match.</p>;
  }
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
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
    </div>
  );
}
