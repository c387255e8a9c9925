import type { ReactNode } from "react";

/** A plain bordered table with a header row; the rows come as children. */
export function SimpleTable({ headings, children }: { headings: string[]; children: ReactNode }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <thead className="bg-slate-50 text-left">
          <tr>
            {headings.map((heading, index) => (
              <th key={`${heading}-${index}`} scope="col" className="px-3 py-2 font-medium text-slate-700">
                {heading}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
    </div>
  );
}
