// A stand-in for bots' webhook endpoints during tests: every outbound fetch of the Worker lands
// here. It records each request and answers with the status the test scripted for that path.
const received = new Map(); // path -> [{ url, headers, body, status, at }]
const failures = new Map(); // path -> how many more requests to fail

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.hostname === "sink.control") {
      const path = url.searchParams.get("path") ?? "/";
      if (request.method === "POST") {
        failures.set(path, Number(url.searchParams.get("fail") ?? "0"));
        return Response.json({ ok: true });
      }
      return Response.json({ requests: received.get(path) ?? [] });
    }
    const path = url.pathname;
    const at = Date.now();
    const remaining = failures.get(path) ?? 0;
    const status = remaining > 0 ? 503 : 200;
    if (remaining > 0) failures.set(path, remaining - 1);
    // Read the body before taking the list: two concurrent first requests must not each start a list.
    const body = await request.text();
    const list = received.get(path) ?? [];
    list.push({ url: request.url, headers: Object.fromEntries(request.headers), body, status, at });
    received.set(path, list);
    return new Response(status === 200 ? "ok" : "unavailable", { status });
  },
};
