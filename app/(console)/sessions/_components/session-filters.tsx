import { AppFilter } from "@/components/app-filter";
import { FILTER_INPUT, FilterButtons, FilterField } from "@/components/filter-field";
import { FilterDisclosure } from "@/components/filter-disclosure";
import type { AppChoice } from "@/lib/console/apps";
import { REVOKE_REASONS, SESSION_KINDS, SESSION_SORT_FIELDS, SESSION_STATUSES } from "@/lib/sessions/types";
import { reasonWords } from "@/lib/sessions/words";

const SORT_LABELS: Record<(typeof SESSION_SORT_FIELDS)[number], string> = {
  createdAt: "Created",
  lastSeenAt: "Last seen",
  idleExpiresAt: "Idle expiry",
  absoluteExpiresAt: "Absolute expiry",
};

/** What the view's order and paging are, as opposed to what it filters on. */
const NOT_FILTERS = new Set(["sort", "order", "cursor"]);

/** The sessions view's filters, as a GET form: the view stays in the URL. On a phone they fold behind a button. */
export function SessionFilters({ values, apps }: { values: Record<string, string>; apps: AppChoice[] }) {
  const statuses = new Set((values.status ?? "").split(",").filter(Boolean));
  const reasons = new Set((values.reason ?? "").split(",").filter(Boolean));
  const active = Object.keys(values).filter((key) => !NOT_FILTERS.has(key)).length;
  return (
    <FilterDisclosure active={active}>
      <form method="get" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4" aria-label="Filter sessions">
        <fieldset className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
          <legend className="mb-1 text-xs text-slate-700">Status (none checked: all)</legend>
          {SESSION_STATUSES.map((status) => (
            <label key={status} className="flex items-center gap-1.5">
              <input type="checkbox" name="status" value={status} defaultChecked={statuses.has(status)} />
              {status}
            </label>
          ))}
        </fieldset>
        <fieldset className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
          <legend className="mb-1 text-xs text-slate-700">Revoked because (none checked: any)</legend>
          {REVOKE_REASONS.map((reason) => (
            <label key={reason} className="flex items-center gap-1.5">
              <input type="checkbox" name="reason" value={reason} defaultChecked={reasons.has(reason)} />
              {reasonWords(reason, null)}
            </label>
          ))}
        </fieldset>
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <AppFilter choices={apps} value={values.app} />
          <FilterField label="User (email or id)" name="user" value={values.user} />
          <FilterField label="Session id" name="sessionId" value={values.sessionId} />
          <FilterField label="IP (exact, or prefix ending in . or :)" name="ip" value={values.ip} placeholder="10.0." />
          <FilterField label="Device text" name="device" value={values.device} placeholder="Firefox" />
          <label className="text-xs text-slate-700">
            Kind
            <select name="kind" defaultValue={values.kind ?? ""} className={FILTER_INPUT}>
              <option value="">any</option>
              {SESSION_KINDS.map((kind) => (
                <option key={kind}>{kind}</option>
              ))}
            </select>
          </label>
          <FilterField label="Tenant" name="tenantId" value={values.tenantId} />
          <FilterField label="Created from (UTC)" name="createdFrom" value={values.createdFrom} placeholder="2026-11-30 14:00" />
          <FilterField label="Created to (UTC)" name="createdTo" value={values.createdTo} placeholder="2026-11-30 14:00" />
          <FilterField label="Last seen from (UTC)" name="lastSeenFrom" value={values.lastSeenFrom} placeholder="2026-11-30 14:00" />
          <FilterField label="Last seen to (UTC)" name="lastSeenTo" value={values.lastSeenTo} placeholder="2026-11-30 14:00" />
          <FilterField label="Revoked from (UTC)" name="revokedFrom" value={values.revokedFrom} placeholder="2026-11-30 14:00" />
          <FilterField label="Revoked to (UTC)" name="revokedTo" value={values.revokedTo} placeholder="2026-11-30 14:00" />
          <label className="text-xs text-slate-700">
            Sort by
            <select name="sort" defaultValue={values.sort ?? "createdAt"} className={FILTER_INPUT}>
              {SESSION_SORT_FIELDS.map((field) => (
                <option key={field} value={field}>
                  {SORT_LABELS[field]}
                </option>
              ))}
            </select>
          </label>
          <label className="text-xs text-slate-700">
            Order
            <select name="order" defaultValue={values.order ?? "desc"} className={FILTER_INPUT}>
              <option value="desc">newest first</option>
              <option value="asc">oldest first</option>
            </select>
          </label>
        </div>
        <FilterButtons clearHref="/sessions" />
      </form>
    </FilterDisclosure>
  );
}
