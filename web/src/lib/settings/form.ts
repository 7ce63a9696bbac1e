// Form logic shared by the settings pages: what changed since the last save, and the API's
// validation issues mapped to the fields they name.
import { ApiFailure } from "../api/client";

/** The fields whose value differs from the saved one: the body of a PATCH. */
export function changedFields<T extends object>(saved: T, draft: T): Partial<T> {
  const patch: Partial<T> = {};
  for (const key of Object.keys(draft) as (keyof T)[]) {
    if (!Object.is(saved[key], draft[key])) patch[key] = draft[key];
  }
  return patch;
}

export const isDirty = <T extends object>(saved: T, draft: T): boolean =>
  Object.keys(changedFields(saved, draft)).length > 0;

/** Messages by field, from an `invalid_request` answer's `issues[].path` ("" for the whole form). */
export type FieldIssues = Record<string, string>;

/** An input's aria-describedby: SettingField's help line, and its error while there is one. */
export const describedBy = (id: string, issue: string | undefined): string =>
  issue ? `${id}-help ${id}-error` : `${id}-help`;

function isIssue(value: unknown): value is { path: string; message: string } {
  return (
    typeof value === "object" &&
    value !== null &&
    "path" in value &&
    "message" in value &&
    typeof value.path === "string" &&
    typeof value.message === "string"
  );
}

/**
 * The issues of a failed save by the top-level field they name (`routing`, or `team_ids` for
 * `team_ids.2`); the first message per field wins. Any other failure is a form-level message.
 */
export function issuesByField(error: unknown): FieldIssues {
  if (!(error instanceof ApiFailure)) return { "": "Something went wrong. Try again." };
  const issues = Array.isArray(error.body.issues) ? error.body.issues.filter(isIssue) : [];
  if (issues.length === 0) return { "": error.message };
  const byField: FieldIssues = {};
  for (const issue of issues) {
    const field = issue.path.split(".")[0] ?? "";
    byField[field] ??= issue.message;
  }
  return byField;
}
