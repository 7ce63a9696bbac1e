// The bench's client side, shared by app and floor: timed JSON requests and sockets that can
// wait for a frame (an ack by ref, or any frame a predicate picks).

/** A JSON request; answers the status, the parsed body (or null) and the time it took. */
export async function request(url, { method = "GET", headers = {}, body } = {}) {
  const started = performance.now();
  const res = await fetch(url, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const ms = performance.now() - started;
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: res.status, json, text, ms, headers: res.headers };
}

/** Like request, but anything but the expected status is an error worth stopping for. */
export async function expect(status, url, options) {
  const res = await request(url, options);
  const ok = Array.isArray(status) ? status.includes(res.status) : res.status === status;
  if (!ok)
    throw new Error(
      `${options?.method ?? "GET"} ${url} answered ${res.status}: ${res.text.slice(0, 300)}`,
    );
  return res;
}

/** A WebSocket that routes acks to their waiters and lets a measurement watch every frame. */
export class BenchSocket {
  /** @param {WebSocket} ws */
  constructor(ws) {
    this.ws = ws;
    this.acks = new Map();
    /** @type {((data: string, at: number) => void) | null} */
    this.onFrame = null;
    ws.onmessage = (event) => {
      const at = performance.now();
      const data = String(event.data);
      if (data.startsWith('{"type":"ack"')) {
        const frame = JSON.parse(data);
        const waiter = this.acks.get(frame.ref);
        if (waiter) {
          this.acks.delete(frame.ref);
          waiter({ frame, at });
        }
        return;
      }
      this.onFrame?.(data, at);
    };
  }

  /** Sends a command and resolves with its ack and when it arrived. */
  command(frame, timeoutMs = 15_000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.acks.delete(frame.ref);
        reject(new Error(`no ack for ${JSON.stringify(frame)} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.acks.set(frame.ref, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
      this.ws.send(JSON.stringify(frame));
    });
  }

  close() {
    try {
      this.ws.close(1000, "bench done");
    } catch {
      // already closed
    }
  }
}

/** Opens a socket and waits for the server's first frame (the app's hello, the floor's too). */
export function openSocket(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const timer = setTimeout(() => reject(new Error(`socket ${url} did not say hello`)), 15_000);
    ws.onerror = () => {
      clearTimeout(timer);
      reject(new Error(`socket ${url} failed`));
    };
    ws.onmessage = () => {
      clearTimeout(timer);
      ws.onerror = null;
      resolve(new BenchSocket(ws));
    };
  });
}

/** Opens n sockets, a few at a time; urlFor(i) picks each one's URL and headers. */
export async function openSockets(n, urlFor, parallel = 25) {
  const sockets = [];
  for (let i = 0; i < n; i += parallel) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + parallel); j++) {
      const { url, headers } = urlFor(j);
      batch.push(openSocket(url, headers));
    }
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}
