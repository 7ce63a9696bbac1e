// A WebSocket for the store's tests: the test plays the server's frames and drops, and reads
// what the client sent.
import type { ServerFrame } from "#schema/realtime";

export class ScriptedSocket {
  static OPEN = 1;
  static all: ScriptedSocket[] = [];
  readyState = 0;
  sent: unknown[] = [];
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  constructor(readonly url: string) {
    ScriptedSocket.all.push(this);
  }
  static get last(): ScriptedSocket {
    return ScriptedSocket.all.at(-1)!;
  }
  send(data: string) {
    this.sent.push(data === "ping" ? data : JSON.parse(data));
  }
  close() {
    this.drop();
  }
  /** The server says something. */
  frame(frame: ServerFrame) {
    this.readyState = 1;
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}
