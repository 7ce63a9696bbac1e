// One settings form: the saved values, the draft the inputs edit, whether they differ, and
// the save's outcome (a confirmation, or the API's messages by field).
import { changedFields, issuesByField, type FieldIssues } from "./form";

export type SaveState = "idle" | "saving" | "saved" | "failed";

export class SettingsForm<T extends object> {
  saved = $state.raw<T>() as T;
  draft = $state() as T;
  issues = $state.raw<FieldIssues>({});
  state = $state<SaveState>("idle");
  readonly changes = $derived(changedFields(this.saved, this.draft));
  readonly dirty = $derived(Object.keys(this.changes).length > 0);

  constructor(
    initial: T,
    private readonly persist: (patch: Partial<T>) => Promise<T>,
  ) {
    this.reset(initial);
  }

  /** Starts over from values the server gave. */
  reset(values: T): void {
    this.saved = values;
    this.draft = { ...values };
    this.issues = {};
  }

  /** Sends only what changed; true when the server took it. */
  async save(): Promise<boolean> {
    if (!this.dirty || this.state === "saving") return false;
    this.state = "saving";
    this.issues = {};
    try {
      this.reset(await this.persist($state.snapshot(this.changes) as Partial<T>));
      this.state = "saved";
      return true;
    } catch (error) {
      this.issues = issuesByField(error);
      this.state = "failed";
      return false;
    }
  }

  /** Any edit after a save hides its confirmation. */
  edited(): void {
    if (this.state === "saved") this.state = "idle";
  }
}
