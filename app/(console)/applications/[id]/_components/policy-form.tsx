"use client";

import { startTransition, useActionState, useState, type FormEvent } from "react";
import { FieldError, FormStatus, ReauthField } from "@/components/form-status";
import { JobProgress } from "@/components/job-progress";
import type { ActionState } from "@/lib/auth/action";
import { describeImpact } from "@/lib/console/policy-words";
import { policyAction, type PolicyOutcome } from "../../actions";

const INITIAL: ActionState<PolicyOutcome> = { ok: false };
const INPUT = "mt-1 block w-full rounded border border-slate-300 bg-white px-2 py-1";

export interface PolicyValues {
  idleTimeout: string;
  absoluteTimeout: string;
  touchInterval: string;
  rotationGrace: string;
  allowGuests: boolean;
  sessionLimit: string;
  sessionLimitAction: "END_LEAST_RECENTLY_USED" | "END_OLDEST" | "REFUSE";
}

/**
 * The session policy: first "Preview" says what the change would end (nothing is saved), then
 * "Apply" saves it; existing sessions are rewritten in the background, with progress.
 */
export function PolicyForm({ id, values }: { id: string; values: PolicyValues }) {
  const [state, action, pending] = useActionState(policyAction, INITIAL);
  // A preview stands for the values it was made from: editing a field asks for a new one.
  const [edited, setEdited] = useState(false);
  const outcome = state.ok ? state.data : undefined;
  const previewed = outcome?.mode === "preview" && !edited;
  // Submitted by hand rather than through `action`: a form action resets the fields when it is
  // done, and the values previewed must stay in the form to be applied.
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const data = new FormData(event.currentTarget, submitter);
    setEdited(false);
    startTransition(() => action(data));
  }
  return (
    <form
      onSubmit={submit}
      onChange={() => setEdited(true)}
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
      aria-label="Session policy"
    >
      <h2 className="font-medium">Session policy</h2>
      <p className="text-sm text-slate-600">
        Durations take 90s, 30m, 12h or 30d. A create call may ask for a shorter idle timeout or lifetime, never a longer one: these are
        ceilings. Applying a policy shortens existing sessions to it (never lengthens them).
      </p>
      <input type="hidden" name="id" value={id} />
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <label className="text-sm">
          Idle timeout
          <input name="idleTimeout" defaultValue={values.idleTimeout} required className={INPUT} />
          <FieldError state={state} name="idleTimeout" />
        </label>
        <label className="text-sm">
          Absolute cap
          <input name="absoluteTimeout" defaultValue={values.absoluteTimeout} required className={INPUT} />
          <FieldError state={state} name="absoluteTimeout" />
        </label>
        <label className="text-sm">
          Touch interval
          <input name="touchInterval" defaultValue={values.touchInterval} required className={INPUT} />
          <FieldError state={state} name="touchInterval" />
        </label>
        <label className="text-sm">
          Rotation grace
          <input name="rotationGrace" defaultValue={values.rotationGrace} required className={INPUT} />
          <FieldError state={state} name="rotationGrace" />
        </label>
        <label className="text-sm">
          Live sessions per user (empty: no limit)
          <input name="sessionLimit" defaultValue={values.sessionLimit} inputMode="numeric" className={INPUT} />
          <FieldError state={state} name="sessionLimit" />
        </label>
        <label className="text-sm">
          At the limit
          <select name="sessionLimitAction" defaultValue={values.sessionLimitAction} className={INPUT}>
            <option value="END_LEAST_RECENTLY_USED">end the least recently used</option>
            <option value="END_OLDEST">end the oldest</option>
            <option value="REFUSE">refuse the new session</option>
          </select>
        </label>
        <label className="flex items-center gap-2 self-end text-sm">
          <input type="checkbox" name="allowGuests" defaultChecked={values.allowGuests} />
          Guest sessions allowed
        </label>
      </div>
      <ReauthField state={state} />
      {previewed && outcome ? (
        <div role="status" className="rounded border border-amber-300 bg-amber-50 p-3 text-sm" data-testid="policy-impact">
          {describeImpact(outcome.impact).map((line) => (
            <p key={line}>{line}</p>
          ))}
        </div>
      ) : null}
      <div className="flex flex-wrap gap-2">
        <button type="submit" name="mode" value="preview" disabled={pending} className="rounded border border-slate-300 px-3 py-1.5 text-sm">
          Preview
        </button>
        {previewed ? (
          <button type="submit" name="mode" value="apply" disabled={pending} className="rounded bg-red-700 px-3 py-1.5 text-sm text-white">
            Apply this policy
          </button>
        ) : null}
      </div>
      {state.error ? <FormStatus state={state} /> : null}
      {outcome?.mode === "apply" && outcome.jobId ? (
        <div className="space-y-1">
          <FormStatus state={state} />
          <div data-testid="policy-applied">
            {describeImpact(outcome.impact).map((line) => (
              <p key={line} className="text-sm">
                {line.replace(/^It ends/, "It ended")}
              </p>
            ))}
          </div>
          <JobProgress
            jobId={outcome.jobId}
            total={outcome.live ?? 0}
            done={(progress) => progress.scanned ?? 0}
            describe={(progress, finished) =>
              finished
                ? `Applied to every live session: ${((progress.endedByTimeout ?? 0) + (progress.endedByLimit ?? 0)).toLocaleString("en-US")} ended.`
                : `Applying to existing sessions… ${(progress.scanned ?? 0).toLocaleString("en-US")} looked at, ${((progress.endedByTimeout ?? 0) + (progress.endedByLimit ?? 0)).toLocaleString("en-US")} ended so far.`
            }
          />
        </div>
      ) : null}
    </form>
  );
}
