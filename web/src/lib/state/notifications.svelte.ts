// Telling an agent something happened: toasts in the page, desktop notifications (only once
// they asked for them), and a short sound.
export interface Toast {
  id: number;
  text: string;
  tone: "info" | "error";
  href?: string;
}

const TOAST_MS = 6_000;

export class Notifier {
  toasts = $state<Toast[]>([]);
  permission = $state<NotificationPermission | "unsupported">(
    typeof Notification === "undefined" ? "unsupported" : Notification.permission,
  );
  sound = $state(true);
  private nextId = 0;
  private audio: AudioContext | null = null;

  toast(text: string, tone: Toast["tone"] = "info", href?: string): void {
    const id = ++this.nextId;
    this.toasts = [...this.toasts.slice(-3), { id, text, tone, href }];
    setTimeout(() => this.dismiss(id), TOAST_MS);
  }

  dismiss(id: number): void {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  /** Asked from a button, never on load. */
  async requestDesktop(): Promise<void> {
    if (typeof Notification === "undefined") return;
    this.permission = await Notification.requestPermission();
  }

  /** Something that needs attention: toast, desktop notification when hidden, and a chime. */
  alert(title: string, body: string, href?: string): void {
    this.toast(`${title}: ${body}`, "info", href);
    if (this.permission === "granted" && document.visibilityState !== "visible") {
      const n = new Notification(title, { body, tag: href });
      n.onclick = () => {
        window.focus();
        if (href) location.assign(href);
      };
    }
    if (this.sound) this.chime();
  }

  private chime(): void {
    try {
      this.audio ??= new AudioContext();
      const ctx = this.audio;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.setValueAtTime(880, ctx.currentTime);
      osc.frequency.setValueAtTime(1320, ctx.currentTime + 0.09);
      gain.gain.setValueAtTime(0.0001, ctx.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.12, ctx.currentTime + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.3);
      osc.connect(gain).connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.32);
    } catch {
      // Audio may be blocked until the page is interacted with; the toast is enough.
    }
  }
}
