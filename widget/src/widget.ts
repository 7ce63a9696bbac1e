// The widget's controller: loads the channel's config, keeps the visitor's conversation in step
// with the server (HTTP for the first load and for sending, the socket for everything live), and
// tells the view what to show.
import { HttpError, type WidgetApi } from "./api";
import { ConversationState, statusLine, type Pending } from "./conversation";
import { LiveSocket } from "./socket";
import type { Rating, ServerFrame } from "./types";
import { WidgetView } from "./view";

/** An indicator turns itself off after this long without another typing frame. */
const TYPING_SHOWN_MS = 4_000;
/** The visitor's own typing is sent at most this often. */
const TYPING_EVERY_MS = 2_000;

export class Widget {
  private state = new ConversationState();
  private readonly view: WidgetView;
  private readonly socket: LiveSocket;
  private started = false;
  private loaded = false;
  /** The handoff the visitor rated on this page (thanked for until the next one). */
  private ratedId: string | null = null;
  private typingOff: number | undefined;
  private lastTypingSent = 0;
  private readonly openKey: string;

  constructor(private readonly api: WidgetApi) {
    this.openKey = `handoff-widget:${api.channelId}:open`;
    this.view = new WidgetView({
      opened: () => {
        remember(this.openKey, true);
        void this.start();
      },
      closed: () => remember(this.openKey, false),
      send: (text) => void this.post(this.state.queue(text)),
      retry: (pending) => void this.post(pending),
      typing: () => this.visitorTyping(),
      rate: (rating) => void this.rate(rating),
    });
    this.socket = new LiveSocket({
      url: () => api.socketUrl(),
      seq: () => this.state.seq,
      frame: (frame) => this.receive(frame),
      // The upgrade failed: a refused token shows as 401 here, and a new session is made.
      refused: () => this.refresh(),
    });
    api.onReplaced = () => {
      this.state = new ConversationState();
      this.loaded = false;
      this.render(true);
      if (this.socket.running) this.socket.restart();
    };
  }

  async boot(): Promise<void> {
    const config = await this.api.config();
    this.view.configure(config);
    document.body.append(this.view.host);
    // A reload keeps the panel as the visitor left it. A returning visitor whose conversation
    // waits for a person (or has one) stays live with the panel closed, to see the answer come;
    // anyone else opens no socket until they open the panel.
    if (recalled(this.openKey)) return this.view.open();
    if (!this.api.hasSession) return;
    await this.refresh();
    const status = this.state.handoff?.status;
    if (status === "queued" || status === "active") await this.start();
  }

  private async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (!this.loaded) await this.refresh();
    this.socket.start();
  }

  /** Loads the whole conversation (first load, resync, after a refused socket). */
  private async refresh(): Promise<void> {
    try {
      this.state.load(await this.api.conversation());
      this.loaded = true;
      this.view.showError("");
      this.render(true);
    } catch {
      this.view.showError("Cannot reach the chat right now. Retrying…");
    }
  }

  private receive(frame: ServerFrame): void {
    switch (frame.type) {
      case "resync":
        void this.refresh();
        return;
      case "typing":
        if (frame.data.from === "agent") this.agentTyping(frame.data.name || "Someone");
        return;
      case "message.created":
      case "handoff.updated": {
        const change = this.state.apply(frame);
        if (change === "none") return;
        if (change === "message" && frame.type === "message.created") {
          if (frame.data.message.from === "agent") this.agentTyping(null);
        }
        this.render(false);
        return;
      }
      default:
        return;
    }
  }

  private render(reset: boolean): void {
    this.view.messages(this.state.messages, reset);
    this.view.pending(this.state.pending);
    const handoff = this.state.handoff;
    this.view.status(statusLine(handoff));
    if (handoff?.status !== "active") this.agentTyping(null);
    const resolved = handoff?.status === "resolved";
    this.view.ratingPrompt(
      !resolved ? null : this.ratedId === handoff.id ? "thanks" : handoff.rating ? null : "asked",
    );
  }

  private async post(pending: Pending): Promise<void> {
    pending.failed = false;
    // The agent's indicator goes off with the message; the next keystroke says so again at once.
    this.lastTypingSent = 0;
    this.view.pending(this.state.pending);
    try {
      const message = await this.api.send(pending.text);
      this.state.drop(pending);
      this.state.add(message, false);
      this.view.showError("");
    } catch (error) {
      pending.failed = true;
      if (error instanceof HttpError && error.status === 429)
        this.view.showError("You are sending messages too fast. Wait a moment and retry.");
    }
    this.render(false);
  }

  private visitorTyping(): void {
    const now = Date.now();
    if (now - this.lastTypingSent < TYPING_EVERY_MS) return;
    if (this.socket.send({ type: "typing" })) this.lastTypingSent = now;
  }

  private agentTyping(name: string | null): void {
    window.clearTimeout(this.typingOff);
    this.view.typing(name);
    if (name) this.typingOff = window.setTimeout(() => this.view.typing(null), TYPING_SHOWN_MS);
  }

  private async rate(rating: Rating): Promise<void> {
    const handoff = this.state.handoff;
    if (!handoff) return;
    try {
      await this.api.rate(handoff.id, rating);
      handoff.rating = rating;
      this.ratedId = handoff.id;
      this.view.showError("");
    } catch {
      this.view.showError("Your rating could not be sent. Try again.");
    }
    this.render(false);
  }
}

/** sessionStorage may be blocked; then the panel simply starts closed. */
function remember(key: string, open: boolean): void {
  try {
    if (open) window.sessionStorage.setItem(key, "1");
    else window.sessionStorage.removeItem(key);
  } catch {
    // not available
  }
}

function recalled(key: string): boolean {
  try {
    return window.sessionStorage.getItem(key) === "1";
  } catch {
    return false;
  }
}
