import Link from "next/link";

export const FILTER_INPUT = "mt-0.5 block w-full rounded border border-slate-300 bg-white px-2 py-1";

/** One labelled text (or date) input of a GET filter form. */
export function FilterField({ label, name, value, placeholder, type = "text" }: { label: string; name: string; value?: string; placeholder?: string; type?: string }) {
  return (
    <label className="text-xs text-slate-700">
      {label}
      <input name={name} type={type} defaultValue={value ?? ""} placeholder={placeholder} className={FILTER_INPUT} />
    </label>
  );
}

/** "Apply filters" (or `submitLabel`) and "Clear" (back to `clearHref`, the unfiltered view). */
export function FilterButtons({ clearHref, submitLabel = "Apply filters" }: { clearHref: string; submitLabel?: string }) {
  return (
    <div className="flex gap-2">
      <button type="submit" className="rounded bg-slate-900 px-3 py-1.5 text-sm text-white">
        {submitLabel}
      </button>
      <Link href={clearHref} className="rounded border border-slate-300 px-3 py-1.5 text-sm">
        Clear
      </Link>
    </div>
  );
}
