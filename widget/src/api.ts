// The visitor's side of /api/widget/*: a session token kept in localStorage per channel, and
// calls that make a new session when the server no longer knows the token (401).
import {
  toConfig,
  toConversation,
  toMessage,
  type Rating,
  type WidgetConfig,
  type WidgetConversation,
  type WidgetMessage,
} from "./types";

export class HttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

/** localStorage may be blocked (private modes, sandboxed frames): then the session lasts the page. */
function store(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export class WidgetApi {
  private token: string | null;
  private readonly key: string;
  private hadSession: boolean;
  private session: Promise<string> | null = null;
  /** Called when a new session replaces one the server refused (a new, empty conversation). */
  onReplaced: () => void = () => {};

  constructor(
    readonly origin: string,
    readonly channelId: string,
  ) {
    this.key = `handoff-widget:${channelId}`;
    this.token = store()?.getItem(this.key) ?? null;
    this.hadSession = this.token !== null;
  }

  /** Whether this browser already has a conversation on this channel. */
  get hasSession(): boolean {
    return this.token !== null;
  }

  /** The socket's address, with the current token (a session is made first if needed). */
  async socketUrl(): Promise<string> {
    const token = await this.ensureSession();
    const ws = this.origin.replace(/^http/, "ws");
    return `${ws}/api/widget/ws?token=${encodeURIComponent(token)}`;
  }

  async config(): Promise<WidgetConfig> {
    const res = await this.request(
      "GET",
      `/api/widget/config?channel_id=${encodeURIComponent(this.channelId)}`,
    );
    const config = toConfig(res);
    if (!config) throw new HttpError(0);
    return config;
  }

  async conversation(): Promise<WidgetConversation> {
    const conversation = toConversation(await this.authed("GET", "/api/widget/conversation"));
    if (!conversation) throw new HttpError(0);
    return conversation;
  }

  async send(text: string): Promise<WidgetMessage> {
    const res = await this.authed("POST", "/api/widget/messages", { text });
    const message = toMessage((res as { message?: unknown } | null)?.message);
    if (!message) throw new HttpError(0);
    return message;
  }

  async rate(handoffId: string, rating: Rating): Promise<void> {
    await this.authed("POST", "/api/widget/rating", { handoff_id: handoffId, rating });
  }

  /** Forgets the token (the server refused it); the next call makes a new session. */
  forget(): void {
    this.token = null;
    store()?.removeItem(this.key);
  }

  private ensureSession(): Promise<string> {
    if (this.token) return Promise.resolve(this.token);
    this.session ??= this.request("POST", "/api/widget/sessions", { channel_id: this.channelId })
      .then((res) => {
        const token = (res as { visitor_token?: unknown } | null)?.visitor_token;
        if (typeof token !== "string") throw new HttpError(0);
        const replaced = this.hadSession;
        this.token = token;
        this.hadSession = true;
        store()?.setItem(this.key, token);
        if (replaced) this.onReplaced();
        return token;
      })
      .finally(() => (this.session = null));
    return this.session;
  }

  /** A call with the visitor's token; a refused token is replaced once and the call repeated. */
  private async authed(method: string, path: string, body?: unknown): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.ensureSession();
      try {
        return await this.request(method, path, body, token);
      } catch (error) {
        if (!(error instanceof HttpError) || error.status !== 401 || attempt > 0) throw error;
        if (this.token === token) this.forget();
      }
    }
  }

  private async request(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<unknown> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(this.origin + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      mode: "cors",
    });
    if (!res.ok) throw new HttpError(res.status);
    return res.json();
  }
}
