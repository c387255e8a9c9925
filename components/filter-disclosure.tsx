"use client";

import { useId, useState, type ReactNode } from "react";

/**
 * A filter form that folds behind a "Filters" button on small screens (below the md breakpoint),
 * so a phone shows the results first; from md up the form is always shown and the button is not.
 * `active` is how many filters the current view sets, shown on the button.
 */
export function FilterDisclosure({ active, children }: { active: number; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <div>
      <button
        type="button"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen((value) => !value)}
        className="rounded border border-slate-300 bg-white px-3 py-1.5 text-sm md:hidden"
      >
        Filters{active > 0 ? ` (${active.toLocaleString("en-US")} set)` : ""}
      </button>
      <div id={id} className={open ? "mt-2" : "hidden md:block"}>
        {children}
      </div>
    </div>
  );
}
