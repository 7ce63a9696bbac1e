// Edits not saved yet, across the forms and rows of one settings page: the page asks them all
// when someone navigates away.
export class UnsavedEdits {
  readonly #sources = new Set<() => boolean>();

  /** Adds a source of unsaved edits; the returned function takes it away again. */
  track(isDirty: () => boolean): () => void {
    this.#sources.add(isDirty);
    return () => void this.#sources.delete(isDirty);
  }

  get any(): boolean {
    for (const isDirty of this.#sources) if (isDirty()) return true;
    return false;
  }
}
