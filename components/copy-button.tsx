"use client";

import { useState } from "react";

/** Copies `value` to the clipboard, and says so. */
export function CopyButton({ value, label = "Copy" }: { value: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      onClick={() => {
        void navigator.clipboard?.writeText(value).then(() => setCopied(true));
      }}
      className="rounded border border-slate-300 bg-white px-2 py-0.5 text-xs hover:bg-slate-100"
    >
      {copied ? "Copied" : label}
    </button>
  );
}
