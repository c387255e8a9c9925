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
    if (params) document.getElementById(id)?.focus();
  }, [params, id]);
  return null;
}
