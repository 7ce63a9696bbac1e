// A stand-in for bots' webhook endpoints during tests: every outbound fetch of the Worker lands
// here. It records each request and answers as the test scripted for that path: a 503 (`fail`),
// a 302 (`redirect`), or holding the request open until released (`hang`), else 200.
//
// Control (host sink.control, ?path=<path>):
//   POST &fail=N | &hang=N | &redirect=<url>&times=N | &release=1   script the next N requests
//   GET                 → {requests, held}; with &wait=N it first waits for N recorded requests
const received = new Map(); // path -> [{ url, headers, body, status, at }]
const failures = new Map(); // path -> how many more requests to fail
const hangs = new Map(); // path -> how many more requests to hold open
const redirects = new Map(); // path -> { location, times }
const releases = new Map(); // path -> release generation (a held request waits for it to change)
const held = new Map(); // path -> requests held open right now
const scripted = new Map(); // path -> [{ status, body, headers }] answered in turn, then the default
let providerMessages = 0;

/** What a channel provider answers by default: a sent message with a fresh id. */
function providerAnswer(url) {
  providerMessages += 1;
  if (url.hostname === "api.telegram.test")
    return Response.json({ ok: true, result: { message_id: providerMessages, date: 0 } });
  if (url.hostname === "graph.whatsapp.test")
    return Response.json({
      messaging_product: "whatsapp",
      messages: [{ id: `wamid.test${providerMessages}` }],
    });
  return null;
}

const HOLD_AT_MOST_MS = 60_000;
const WAIT_AT_MOST_MS = 10_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function take(map, path) {
  const remaining = map.get(path) ?? 0;
  if (remaining > 0) map.set(path, remaining - 1);
  return remaining > 0;
}

async function control(request, url) {
  const path = url.searchParams.get("path") ?? "/";
  const param = (name) => url.searchParams.get(name);
  if (request.method === "POST") {
    if (param("fail") !== null) failures.set(path, Number(param("fail")));
    if (param("hang") !== null) hangs.set(path, Number(param("hang")));
    if (param("redirect") !== null)
      redirects.set(path, { location: param("redirect"), times: Number(param("times") ?? "1") });
    if (param("release") !== null) releases.set(path, (releases.get(path) ?? 0) + 1);
    // &status=429&body=<json>&retry_after=<s>&times=N: answer the next N requests so.
    if (param("status") !== null) {
      const answer = {
        status: Number(param("status")),
        body: param("body") ?? "{}",
        headers: param("retry_after") ? { "retry-after": param("retry_after") } : {},
      };
      const times = Number(param("times") ?? "1");
      scripted.set(path, [...(scripted.get(path) ?? []), ...Array(times).fill(answer)]);
    }
    return Response.json({ ok: true });
  }
  const wanted = Number(param("wait") ?? "0");
  const deadline = Date.now() + WAIT_AT_MOST_MS;
  // Polled here, inside the stand-in server, so a test can wait for a request to arrive.
  while ((received.get(path)?.length ?? 0) < wanted && Date.now() < deadline) await sleep(5);
  return Response.json({ requests: received.get(path) ?? [], held: held.get(path) ?? 0 });
}

async function hold(path) {
  const generation = releases.get(path) ?? 0;
  held.set(path, (held.get(path) ?? 0) + 1);
  const deadline = Date.now() + HOLD_AT_MOST_MS;
  while ((releases.get(path) ?? 0) === generation && Date.now() < deadline) await sleep(5);
  held.set(path, held.get(path) - 1);
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.hostname === "sink.control") return control(request, url);
    const path = url.pathname;
    const at = Date.now();
    // Read the body before taking the list: two concurrent first requests must not each start a list.
    const body = await request.text();
    if (take(hangs, path)) await hold(path);
    const redirect = redirects.get(path);
    let status = 200;
    if (redirect && redirect.times > 0) {
      redirect.times -= 1;
      status = 302;
    } else if (take(failures, path)) {
      status = 503;
    }
    const script = scripted.get(path)?.shift();
    if (script) status = script.status;
    const list = received.get(path) ?? [];
    list.push({ url: request.url, headers: Object.fromEntries(request.headers), body, status, at });
    received.set(path, list);
    if (script)
      return new Response(script.body, {
        status,
        headers: { "content-type": "application/json", ...script.headers },
      });
    if (status === 200) {
      const answer = providerAnswer(url);
      if (answer) return answer;
    }
    if (status === 302)
      return new Response(null, { status, headers: { location: redirect.location } });
    return new Response(status === 200 ? "ok" : "unavailable", { status });
  },
};
