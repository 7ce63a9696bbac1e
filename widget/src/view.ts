// The widget's elements in their shadow root: launcher, panel (a dialog), transcript, status,
// typing indicator, rating and composer. It shows what it is told; the controller decides.
import type { Pending } from "./conversation";
import { chatIcon, h, textOn } from "./dom";
import { CSS } from "./styles";
import type { Rating, WidgetConfig, WidgetMessage } from "./types";

export interface ViewActions {
  opened(): void;
  closed(): void;
  send(text: string): void;
  retry(pending: Pending): void;
  typing(): void;
  rate(rating: Rating): void;
}

export class WidgetView {
  readonly host = document.createElement("handoff-chat-widget");
  private readonly launcher = h("button", {
    class: "launcher",
    type: "button",
    "aria-label": "Open chat",
    "aria-expanded": "false",
    "aria-controls": "panel",
  });
  private readonly badge = h("span", { class: "badge", hidden: true });
  private readonly title = h("h2", { id: "title" });
  private readonly closeButton = h(
    "button",
    { class: "close", type: "button", "aria-label": "Close chat" },
    "×",
  );
  private readonly list = h("ol");
  private readonly pendingList = h("ol");
  private readonly greeting = h("div", { class: "msg greeting", hidden: true });
  private readonly log = h(
    "div",
    { class: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation" },
    this.greeting,
    this.list,
    this.pendingList,
  );
  private readonly typingLine = h("p", { class: "typing", "aria-live": "polite", hidden: true });
  private readonly statusLine = h("p", { class: "status", role: "status", hidden: true });
  private readonly rating = h("div", { class: "rating", hidden: true });
  private readonly error = h("p", { class: "error", role: "alert", hidden: true });
  private readonly textarea = h("textarea", {
    rows: "1",
    maxlength: "4096",
    "aria-label": "Message",
    placeholder: "Write a message…",
  });
  private readonly form = h(
    "form",
    {},
    this.textarea,
    h("button", { class: "send", type: "submit" }, "Send"),
  );
  private readonly panel = h(
    "div",
    { class: "panel", id: "panel", role: "dialog", "aria-labelledby": "title", hidden: true },
    h("header", {}, this.title, this.closeButton),
    this.log,
    this.typingLine,
    this.statusLine,
    this.rating,
    this.error,
    this.form,
  );
  private readonly root = h("div", { class: "w" }, this.launcher, this.panel);
  private readonly shown = new Set<string>();
  private name = "";

  constructor(private readonly actions: ViewActions) {
    const shadow = this.host.attachShadow({ mode: "open" });
    // A constructed sheet is not an inline <style>, which a strict page policy could refuse.
    if (
      "adoptedStyleSheets" in shadow &&
      typeof CSSStyleSheet.prototype.replaceSync === "function"
    ) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      shadow.adoptedStyleSheets = [sheet];
    } else shadow.append(h("style", {}, CSS));
    shadow.append(this.root);
    this.launcher.append(chatIcon(), this.badge);
    this.launcher.addEventListener("click", () => this.toggle());
    this.closeButton.addEventListener("click", () => this.close());
    this.panel.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        this.close();
      }
    });
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.submit();
    });
    this.textarea.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submit();
      }
    });
    this.textarea.addEventListener("input", () => {
      this.fit();
      if (this.textarea.value.trim()) this.actions.typing();
    });
  }

  get isOpen(): boolean {
    return !this.panel.hidden;
  }

  configure(config: WidgetConfig): void {
    this.title.textContent = config.name;
    this.name = config.name;
    this.unread(false);
    if (config.accent_color) {
      this.root.style.setProperty("--accent", config.accent_color);
      this.root.style.setProperty("--on-accent", textOn(config.accent_color));
    }
    this.greeting.hidden = !config.greeting;
    this.greeting.replaceChildren(h("p", { class: "bubble" }, config.greeting ?? ""));
  }

  open(): void {
    this.panel.hidden = false;
    this.unread(false);
    this.launcher.setAttribute("aria-expanded", "true");
    this.textarea.focus();
    this.scrollDown();
    this.actions.opened();
  }

  close(): void {
    if (this.panel.hidden) return;
    this.panel.hidden = true;
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.focus();
    this.actions.closed();
  }

  toggle(): void {
    if (this.panel.hidden) this.open();
    else this.close();
  }

  /** Shows the confirmed messages: new ones are appended, so a screen reader reads only those. */
  messages(messages: WidgetMessage[], reset = false): void {
    if (reset) {
      this.list.replaceChildren();
      this.shown.clear();
    }
    let added = false;
    for (const message of messages) {
      if (this.shown.has(message.id)) continue;
      this.shown.add(message.id);
      this.list.append(messageItem(message));
      added = true;
      if (message.from !== "contact" && this.panel.hidden && !reset) this.unread(true);
    }
    if (added) this.scrollDown();
  }

  pending(pending: Pending[]): void {
    this.pendingList.replaceChildren(
      ...pending.map((p) => {
        const note = h("span", { class: "note" }, p.failed ? "Not sent." : "Sending…");
        if (p.failed) {
          const retry = h("button", { class: "retry", type: "button" }, "Retry");
          retry.addEventListener("click", () => this.actions.retry(p));
          note.append(" ", retry);
        }
        return h(
          "li",
          { class: `msg contact ${p.failed ? "failed" : "sending"}` },
          h("p", { class: "bubble" }, p.text),
          note,
        );
      }),
    );
    this.scrollDown();
  }

  status(text: string): void {
    this.statusLine.textContent = text;
    this.statusLine.hidden = !text;
  }

  typing(name: string | null): void {
    this.typingLine.textContent = name ? `${name} is typing…` : "";
    this.typingLine.hidden = !name;
  }

  /** The rating prompt after a resolve: `null` hides it, `"asked"` offers both buttons. */
  ratingPrompt(state: "asked" | "thanks" | null): void {
    this.rating.hidden = state === null;
    if (state === "thanks") {
      this.rating.replaceChildren(h("span", {}, "Thanks for your feedback."));
      return;
    }
    const button = (rating: Rating, icon: string, label: string) => {
      const b = h("button", { type: "button" }, h("b", { "aria-hidden": "true" }, icon), label);
      b.addEventListener("click", () => this.actions.rate(rating));
      return b;
    };
    this.rating.replaceChildren(
      h("span", { id: "rate-label" }, "How was your conversation?"),
      button("up", "👍", "Helpful"),
      button("down", "👎", "Not helpful"),
    );
    this.rating.setAttribute("role", "group");
    this.rating.setAttribute("aria-labelledby", "rate-label");
  }

  showError(text: string): void {
    this.error.textContent = text;
    this.error.hidden = !text;
  }

  /** The dot on the launcher (and its name) while a reply waits unread behind the closed panel. */
  private unread(on: boolean): void {
    this.badge.hidden = !on;
    this.launcher.setAttribute(
      "aria-label",
      `Open chat: ${this.name}${on ? " (new message)" : ""}`,
    );
  }

  private submit(): void {
    const text = this.textarea.value.trim();
    if (!text) return;
    this.textarea.value = "";
    this.fit();
    this.actions.send(text);
  }

  private fit(): void {
    this.textarea.style.height = "auto";
    this.textarea.style.height = `${Math.min(this.textarea.scrollHeight + 2, 120)}px`;
  }

  private scrollDown(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }
}

function messageItem(message: WidgetMessage): HTMLLIElement {
  const item = h("li", { class: `msg ${message.from}` });
  const who = message.from === "agent" ? (message.agent?.name ?? "Agent") : null;
  if (who) item.append(h("span", { class: "who" }, who));
  item.append(h("p", { class: "bubble" }, message.text));
  return item;
}
