import type { AppChoice } from "@/lib/console/apps";
import { FILTER_INPUT } from "./filter-field";

/** The application filter of a console GET form: one application, or every one. */
export function AppFilter({ choices, value }: { choices: AppChoice[]; value?: string }) {
  return (
    <label className="text-xs text-slate-700">
      Application
      <select name="app" defaultValue={value ?? ""} className={FILTER_INPUT}>
        <option value="">every application</option>
        {choices.map((choice) => (
          <option key={choice.id} value={choice.id}>
            {choice.name}
          </option>
        ))}
      </select>
    </label>
  );
}
