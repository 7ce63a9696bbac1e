// The inbox store, shared with every component below the inbox layout.
import { createContext } from "svelte";
import type { Inbox } from "./inbox.svelte";

export const [getInbox, setInbox] = createContext<Inbox>();
