"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useRef, useState, type KeyboardEvent } from "react";

/**
 * The console's navigation. From the md breakpoint up the links sit in a row; below it (a phone)
 * they fold behind a "Menu" button, a disclosure that Escape closes, giving focus back to it.
 * One list of links serves both widths.
 */
export function ConsoleNav({ items }: { items: { href: string; label: string }[] }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const pathname = usePathname();
  function onKeyDown(event: KeyboardEvent) {
    if (event.key === "Escape" && open) {
      setOpen(false);
      button.current?.focus();
    }
  }
  return (
    <nav aria-label="Console" className="flex w-full min-w-0 flex-wrap items-center gap-x-5 gap-y-1 md:w-auto md:flex-1" onKeyDown={onKeyDown}>
      <Link href="/" className="font-semibold">
        Latchkey
      </Link>
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls="console-nav-links"
        onClick={() => setOpen((value) => !value)}
        className="ml-auto rounded border border-slate-300 px-3 py-1 text-sm md:hidden"
      >
        Menu
      </button>
      <ul id="console-nav-links" className={`${open ? "flex" : "hidden"} w-full flex-col gap-1 md:flex md:w-auto md:flex-row md:flex-wrap md:gap-x-5 md:gap-y-1`}>
        {items.map((item) => {
          const current = pathname === item.href || pathname.startsWith(`${item.href}/`);
          return (
            <li key={item.href}>
              <Link
                href={item.href}
                aria-current={current ? "page" : undefined}
                onClick={() => setOpen(false)}
                className={`block py-1 text-sm hover:underline md:inline md:py-0 ${current ? "font-medium text-slate-900 underline" : "text-slate-700"}`}
              >
                {item.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
