// The widget's only styles, inside its shadow root. `all: initial !important` on the host: the
// page's rules reach the host element (an important declaration from inside the shadow tree
// beats the page's own), and nothing the page sets is inherited below it.
export const CSS = `
:host{all:initial!important}
.w{--accent:#2563eb;--on-accent:#fff;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;-webkit-font-smoothing:antialiased}
:where(.w *,.w *::before,.w *::after){box-sizing:border-box;margin:0;font:inherit;color:inherit}
button{cursor:pointer;border:0;background:none;padding:0;display:inline-flex;align-items:center;justify-content:center;gap:6px}
button:focus-visible,textarea:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
[hidden]{display:none!important}
.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:56px;height:56px;border-radius:50%;background:var(--accent);color:var(--on-accent);box-shadow:0 4px 14px rgba(0,0,0,.25)}
.launcher svg{width:28px;height:28px;fill:currentColor}
.badge{position:absolute;top:4px;right:4px;width:12px;height:12px;border-radius:50%;background:#d92d20;border:2px solid #fff}
.panel{position:fixed;right:20px;bottom:88px;z-index:2147483001;width:370px;height:min(600px,calc(100vh - 108px));display:flex;flex-direction:column;background:#fff;border-radius:14px;box-shadow:0 10px 40px rgba(0,0,0,.28);overflow:hidden}
header{display:flex;align-items:center;gap:8px;padding:14px 16px;background:var(--accent);color:var(--on-accent)}
h2{flex:1;font-size:17px;font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.close{width:32px;height:32px;border-radius:8px;font-size:22px;line-height:1}
.log{flex:1;overflow-y:auto;padding:14px 12px;display:flex;flex-direction:column;gap:8px;background:#f6f7f9}
ol{list-style:none;padding:0;display:flex;flex-direction:column;gap:8px}
.msg{max-width:82%;align-self:flex-start;display:flex;flex-direction:column;gap:2px}
.bubble{padding:8px 12px;border-radius:14px;background:#fff;border:1px solid #e3e6ea;white-space:pre-wrap;overflow-wrap:anywhere}
.who{font-size:12px;color:#59636e;padding:0 4px}
.contact{align-self:flex-end;align-items:flex-end}
.contact .bubble{background:var(--accent);color:var(--on-accent);border-color:transparent}
.system{align-self:center;max-width:92%;text-align:center}
.system .bubble{background:none;border:0;font-size:13px;color:#59636e;padding:2px 8px}
.greeting .bubble{background:#fff}
.note{font-size:12px;color:#59636e;padding:0 4px}
.failed .note{color:#b42318}
.sending .bubble{opacity:.7}
.retry{text-decoration:underline;font-size:12px;color:#b42318}
.typing,.status{padding:6px 16px;font-size:13px;color:#59636e;background:#f6f7f9}
.status{border-top:1px solid #e3e6ea;background:#fff;color:#1f2328}
.rating{display:flex;flex-wrap:wrap;align-items:center;gap:8px;padding:10px 16px;border-top:1px solid #e3e6ea;font-size:14px}
.rating>span{flex-basis:100%}
.rating button{padding:6px 10px;border-radius:8px;border:1px solid #c9ced4;background:#fff}
form{display:flex;gap:8px;align-items:flex-end;padding:10px 12px;border-top:1px solid #e3e6ea;background:#fff}
textarea{flex:1;resize:none;min-height:40px;max-height:120px;padding:9px 12px;border:1px solid #c9ced4;border-radius:10px;background:#fff;line-height:1.4}
.send{height:40px;padding:0 14px;border-radius:10px;background:var(--accent);color:var(--on-accent);font-weight:600}
.error{padding:6px 16px;font-size:13px;color:#b42318;background:#fff}
@media (max-width:480px){.panel{inset:0;width:100%;height:100%;border-radius:0}}
@media (prefers-reduced-motion:no-preference){.launcher{transition:transform .15s}.launcher:hover{transform:scale(1.06)}}
`;
