// No lost edits: leaving a settings page with unsaved changes asks first (the browser asks on a
// reload or when the tab closes).
import { beforeNavigate } from "$app/navigation";

export const LEAVE_QUESTION = "You have unsaved changes. Leave without saving them?";

/** Call while a page component initialises. */
export function confirmLeavingUnsaved(isDirty: () => boolean): void {
  beforeNavigate((navigation) => {
    if (!isDirty()) return;
    if (navigation.type === "leave") return navigation.cancel();
    if (!confirm(LEAVE_QUESTION)) navigation.cancel();
  });
}
