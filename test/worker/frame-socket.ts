// A test's end of a WebSocket to the tenant object: collects the frames it receives and lets a
// test wait for one, or for the socket to close. Agents' and visitors' sockets build on it.

export class FrameSocket<F extends { type: string }> {
  readonly frames: F[] = [];
  closed = false;
  closeCode: number | null = null;
  private waiters: (() => void)[] = [];

  protected constructor(
    readonly ws: WebSocket,
    /** The sockets of its kind the test has open, for `closeAll` in an afterEach. */
    private readonly registry: Set<FrameSocket<F>>,
  ) {
    registry.add(this);
    ws.addEventListener("message", (e) => {
      if (typeof e.data === "string") {
        const frame = this.read(e.data);
        if (frame) this.frames.push(frame);
      }
      this.wake();
    });
    ws.addEventListener("close", (e) => {
      this.closed = true;
      this.closeCode = e.code;
      this.wake();
    });
  }

  /** A received text as a frame to keep, or null for one that is not kept. */
  protected read(data: string): F | null {
    return JSON.parse(data) as F;
  }

  /** Runs `check` now and again after every frame or close, until it says done (or throws). */
  protected until(check: () => boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const again = () => {
        try {
          if (check()) resolve();
          else this.waiters.push(again);
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      };
      again();
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves at the next frame or close, or after `ms`. */
  private changeOr(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Waits for the first frame (received so far or later) matching the predicate. */
  async next<G extends F>(match: (f: F) => boolean, timeoutMs = 5_000): Promise<G> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found as G;
      if (this.closed) throw new Error("socket closed while waiting");
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new Error(`no matching frame; got ${JSON.stringify(this.frames.map((f) => f.type))}`);
      await this.changeOr(remaining);
    }
  }

  /** Waits for the server to close the socket; returns the close code. */
  async whenClosed(timeoutMs = 5_000): Promise<number | null> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error("the socket was not closed");
      await this.changeOr(remaining);
    }
    return this.closeCode;
  }

  close(): void {
    this.registry.delete(this);
    try {
      this.ws.close(1000, "done");
    } catch {
      // already closed
    }
  }
}
