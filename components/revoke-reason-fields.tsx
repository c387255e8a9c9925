import type { ActionState } from "@/lib/auth/action";
import { MANUAL_REVOKE_REASONS } from "@/lib/sessions/types";
import { reasonWords } from "@/lib/sessions/words";
import { FieldError } from "./form-status";

const INPUT = "mt-1 block w-full rounded border border-slate-300 bg-white px-2 py-1";

/** The reason code and the note ("reason or ticket") every manual revocation asks for. */
export function RevokeReasonFields({ state }: { state: ActionState<unknown> }) {
  return (
    <>
      <label className="block text-sm">
        Reason code
        <select name="reason" defaultValue="REVOKED" className={INPUT}>
          {MANUAL_REVOKE_REASONS.map((reason) => (
            <option key={reason} value={reason}>
              {reasonWords(reason, null)}
            </option>
          ))}
        </select>
      </label>
      <label className="block text-sm">
        Reason or ticket
        <input name="note" required maxLength={500} className={INPUT} />
        <FieldError state={state} name="note" />
      </label>
    </>
  );
}
