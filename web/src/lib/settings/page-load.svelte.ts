// A settings page's first requests: whether they came back, or why not.
import { onMount } from "svelte";
import { describe } from "../state/describe";

export class PageLoad {
  loaded = $state(false);
  failure = $state<string>();

  /** Runs `load` once the page is on screen; construct it while the page is set up. */
  constructor(load: () => Promise<void>) {
    onMount(async () => {
      try {
        await load();
        this.loaded = true;
      } catch (error) {
        this.failure = describe(error);
      }
    });
  }
}
