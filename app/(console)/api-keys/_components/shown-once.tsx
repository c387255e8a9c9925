import { CopyButton } from "@/components/copy-button";

/** A secret the server hands out once (a key, a service session): copy it now or never. */
export function ShownOnce({ title, value, testId }: { title: string; value: string; testId: string }) {
  return (
    <div role="status" className="rounded border border-amber-300 bg-amber-50 p-3 text-sm">
      <div className="flex items-center justify-between gap-2">
        <p className="font-medium">{title}</p>
        <CopyButton value={value} />
      </div>
      <code data-testid={testId} className="mt-2 block break-all rounded bg-white p-2 font-mono text-xs">
        {value}
      </code>
    </div>
  );
}
