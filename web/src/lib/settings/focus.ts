// A settings form's Save turns disabled once it has saved and its Discard goes away: the focus
// they had falls to the page, and a keyboard user starts again from the top. Keep it in the form.
import { tick } from "svelte";

const FIELDS = "input:not([disabled]), select:not([disabled]), textarea:not([disabled])";

/**
 * After the DOM caught up, when the focus has left `form`, puts it on `target` (the saved
 * confirmation, say), else on the form's first field.
 */
export async function keepFocusIn(
  form: HTMLFormElement | undefined,
  target?: HTMLElement,
): Promise<void> {
  await tick();
  if (!form || form.contains(document.activeElement)) return;
  (target ?? form.querySelector<HTMLElement>(FIELDS))?.focus();
}

/** The form's first field that takes input, focused (a form just opened in place of a button). */
export function focusFirstField(form: HTMLFormElement | undefined): void {
  form?.querySelector<HTMLElement>(FIELDS)?.focus();
}
