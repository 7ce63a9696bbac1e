// The demo bot's webhook pointed at a local script (the simulator, the channel stand-in) for as
// long as it runs, and put back as it was when it stops.
export const DEMO_BOT_ID = "bot_demo";

/**
 * Points the demo bot's webhook_url at `hookUrl` (as the admin whose `cookie` is given, through
 * the script's own `api(method, path, body, headers)` → `{status, data}`), and answers how to undo
 * it: `restore()` resolves to the line to print.
 */
export async function pointDemoBot(api, cookie, hookUrl, problem) {
  const path = `/api/admin/bots/${DEMO_BOT_ID}`;
  const before = await api("GET", path, null, { cookie });
  if (before.status !== 200) throw new Error(`Could not read ${DEMO_BOT_ID}: ${problem(before)}`);
  const r = await api("PATCH", path, { webhook_url: hookUrl }, { cookie });
  if (r.status !== 200) throw new Error(`Could not update ${DEMO_BOT_ID}: ${problem(r)}`);
  const previous = before.data.bot.webhook_url ?? null;
  return {
    async restore() {
      if (previous === hookUrl) return null;
      const back = await api("PATCH", path, { webhook_url: previous }, { cookie }).catch(
        () => null,
      );
      return back?.status === 200
        ? `Restored the demo bot's webhook_url to ${previous ?? "none"}.`
        : "Could not restore the demo bot's webhook_url (it still points at this script; `npm run dev` resets it).";
    },
  };
}
