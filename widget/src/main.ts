// widget.js: `<script src="https://<app>/widget.js" data-channel="<channel id>" async></script>`.
// The app's origin is where the script came from; the channel is the tag's data-channel.
import { WidgetApi } from "./api";
import { Widget } from "./widget";

// Read while this script runs (async scripts too); a loader that injects it later still finds
// its tag by the attribute.
const script =
  document.currentScript instanceof HTMLScriptElement && document.currentScript.dataset.channel
    ? document.currentScript
    : document.querySelector<HTMLScriptElement>('script[data-channel][src*="widget.js"]');

function boot(tag: HTMLScriptElement, channel: string): void {
  if (document.querySelector("handoff-chat-widget")) return;
  const widget = new Widget(new WidgetApi(new URL(tag.src, location.href).origin, channel));
  widget.boot().catch((error: unknown) => console.warn("Handoff chat widget:", error));
}

const channel = script?.dataset.channel;
if (script && channel) {
  if (document.body) boot(script, channel);
  else document.addEventListener("DOMContentLoaded", () => boot(script, channel), { once: true });
}
