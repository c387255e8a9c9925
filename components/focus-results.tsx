"use client";

import { useSearchParams } from "next/navigation";
import { useEffect } from "react";

/**
 * After a filter form is sent, keyboard and screen-reader users land on what it found: focus
 * moves to the element `id` whenever the query string changes (and holds something).
 */
export function FocusResults({ id = "results" }: { id?: string }) {
  const params = useSearchParams().toString();
  useEffect(() => {
    if (!params) return;
    const focus = () => document.getElementById(id)?.focus();
    focus();
    // A form sent after the skip link keeps "#main" in the address, and the browser focuses that
    // fragment's target as the page finishes loading: take the focus back once it has.
    if (document.readyState === "complete") return;
    window.addEventListener("load", focus, { once: true });
    return () => window.removeEventListener("load", focus);
  }, [params, id]);
  return null;
}
