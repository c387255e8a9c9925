import type { ReactNode } from "react";
import { ScrollRegion } from "./scroll-region";

/**
 * A plain bordered table with a header row; the rows come as children. It scrolls in its own box
 * when wider than the page; `label` names that box (the first heading if not given). An empty
 * heading (over a column of buttons) is read as "Actions".
 */
export function SimpleTable({ headings, label, children }: { headings: string[]; label?: string; children: ReactNode }) {
  return (
    <ScrollRegion label={label ?? headings[0] ?? "Table"} className="rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <thead className="bg-slate-50 text-left">
          <tr>
            {headings.map((heading, index) => (
              <th key={`${heading}-${index}`} scope="col" className="px-3 py-2 font-medium text-slate-700">
                {heading === "" ? <span className="sr-only">Actions</span> : heading}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
    </ScrollRegion>
  );
}
