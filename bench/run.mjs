// `npm run bench`: the app's hot path measured against a bare Durable Object floor, in one run,
// on this machine. Progress goes to stderr, the table to stdout (and --json to a file).
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { appTarget } from "./app-target.mjs";
import { expect } from "./client.mjs";
import { floorTarget } from "./floor-target.mjs";
import { httpClaimRound, socketClaimRound } from "./measure/claims.mjs";
import { expiryRound } from "./measure/expiry.mjs";
import { fanoutRound } from "./measure/fanout.mjs";
import { listRound } from "./measure/inbox-list.mjs";
import { batchSupported, ingestRound } from "./measure/ingest.mjs";
import { closeAll, storageDelta, storageSnapshot } from "./measure/storage.mjs";
import { benchOptions } from "./options.mjs";
import { machine, rowsJson, table } from "./report.mjs";
import { acrossRounds, median, summarize } from "./stats.mjs";
import { startApp, startFloor, stopAll } from "./servers.mjs";

const options = benchOptions();
const loadAtStart = loadavg();
const started = Date.now();
const log = (message) =>
  console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${message}`);

let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    interrupted = true;
    log(`${signal}: stopping the servers`);
    void stopAll().then(() => process.exit(130));
  });
}
for (const event of ["uncaughtException", "unhandledRejection"]) {
  process.on(event, (error) => {
    console.error(error);
    void stopAll().then(() => process.exit(1));
  });
}

/** Runs `round(target, r)` for each target in turn, `rounds` times; medians per target. */
async function compare(targets, round) {
  const per = Object.fromEntries(targets.map((t) => [t.name, []]));
  for (let r = 0; r < options.rounds; r++) {
    for (const target of targets) per[target.name].push(await round(target, r));
  }
  return Object.fromEntries(Object.entries(per).map(([name, all]) => [name, acrossRounds(all)]));
}

/** App against the floor doing the app's SQL and frames: what the app's own code adds. */
const workRow = (name, result, unit = "ms", figure = "p50") => ({
  name,
  unit,
  app: result.app[figure],
  floor: result.work[figure],
  target: "(where time goes)",
});

const within = (limit) => (app, floor) => floor !== null && app <= floor * limit;
const latencyRows = (name, result, target = "≤ 1.2× floor") => [
  {
    name: `${name}, p50`,
    unit: "ms",
    app: result.app.p50,
    floor: result.floor.p50,
    target,
    check: within(1.2),
  },
  {
    name: `${name}, p99`,
    unit: "ms",
    app: result.app.p99,
    floor: result.floor.p99,
    target,
    check: within(1.2),
  },
];

async function main() {
  log(
    `rounds: ${options.rounds}${options.quick ? " (quick)" : ""}; starting the app and the floor…`,
  );
  const [appServer, floorServer] = await Promise.all([startApp({ log }), startFloor()]);
  const app = await appTarget(appServer.url, { log });
  const floor = floorTarget(floorServer.url);
  const work = floorTarget(floorServer.url, { work: true });
  const targets = [app, floor];
  const rows = [];
  const workRows = [];
  const raw = {};

  // The toll every request pays before any work: the app looks its session up in D1.
  log("a request that does no work (session lookup only)…");
  const toll = await compare(targets, async (t) => {
    const samples = [];
    for (let i = 0; i < 30; i++) {
      const res = await t.whoami();
      if (res.status !== 200) throw new Error(`${t.name}: ${res.status} ${res.text}`);
      samples.push(res.ms);
    }
    return summarize(samples);
  });
  raw.request_toll = toll;
  rows.push({
    name: "GET /api/me (session lookup; floor: no-op), p50",
    unit: "ms",
    app: toll.app.p50,
    floor: toll.floor.p50,
    target: "(where time goes)",
  });

  // A bot's read of one handoff: the API key lookup, the rate limiter and an object RPC, no write.
  const [readId] = await app.claimables(1);
  const botReads = [];
  for (let r = 0; r < options.rounds; r++) {
    const samples = [];
    for (let i = 0; i < 30; i++)
      samples.push(
        (
          await expect(200, `${appServer.url}/api/v1/handoffs/${readId}`, {
            headers: app.botHeaders(0),
          })
        ).ms,
      );
    botReads.push(summarize(samples));
  }
  raw.bot_read = acrossRounds(botReads);
  rows.push({
    name: "GET /api/v1/handoffs/:id (key + limiter + read), p50",
    unit: "ms",
    app: raw.bot_read.p50,
    floor: null,
    target: "(where time goes)",
  });

  // Contact message → fan-out to every socket.
  const [appFanConv] = await app.conversations(1);
  for (const size of options.fanoutSizes) {
    if (size > app.maxSockets)
      throw new Error(`${size} sockets need more sessions than the bench logged in`);
    log(`fan-out to ${size} sockets…`);
    // The smallest fan-out is where the app's own work shows most: also against the floor doing it.
    const compared = size === options.fanoutSizes[0] ? [...targets, work] : targets;
    const sockets = {};
    for (const t of compared) sockets[t.name] = await t.openSockets(size);
    const conv = { app: appFanConv, floor: "floor-fanout", work: "work-fanout" };
    const result = await compare(compared, async (t, r) =>
      summarize(
        await fanoutRound(
          t,
          sockets[t.name],
          conv[t.name],
          options.fanoutMessages,
          `fan-${size}-${r}`,
        ),
      ),
    );
    for (const s of Object.values(sockets).flat()) s.close();
    raw[`fanout_${size}`] = result;
    rows.push(...latencyRows(`contact message → ${size} sockets`, result));
    if (result.work) workRows.push(workRow(`contact message → ${size} sockets, p50`, result));
  }

  // Claims, 20 agents racing for each handoff.
  log("claims over HTTP, 20 racing…");
  const httpClaims = await compare([...targets, work], async (t) =>
    summarize(await httpClaimRound(t, options.claimHandoffs)),
  );
  raw.claim_http = httpClaims;
  rows.push(...latencyRows("claim over HTTP, 20 racing", httpClaims));
  workRows.push(workRow("claim over HTTP, 20 racing, p50", httpClaims));

  log("claims over the socket, 20 racing…");
  const racers = {};
  for (const t of [...targets, work])
    racers[t.name] = await Promise.all(
      Array.from({ length: t.racers }, (_, agent) => t.openRacerSocket(agent)),
    );
  const socketClaims = await compare([...targets, work], async (t) =>
    summarize(await socketClaimRound(t, racers[t.name], options.claimHandoffs)),
  );
  for (const s of Object.values(racers).flat()) s.close();
  raw.claim_socket = socketClaims;
  rows.push(...latencyRows("claim on the socket, 20 racing", socketClaims));
  workRows.push(workRow("claim on the socket, 20 racing, p50", socketClaims));

  // Ingest from 16 concurrent senders.
  log(`ingest, ${options.ingestSenders} senders…`);
  const conversations = {};
  for (const t of [...targets, work])
    conversations[t.name] = await t.conversations(options.ingestSenders);
  const single = await compare([...targets, work], async (t) =>
    ingestRound(t, conversations[t.name], { durationMs: options.ingestMs }),
  );
  raw.ingest_single = single;
  workRows.push(
    workRow(`ingest, ${options.ingestSenders} senders, single`, single, "rate", "rate"),
  );
  rows.push({
    name: `ingest, ${options.ingestSenders} senders, single`,
    unit: "rate",
    app: single.app.rate,
    floor: single.floor.rate,
    target: "≥ floor",
    check: (a, f) => f !== null && a >= f,
  });
  let batched = null;
  if (await batchSupported(app, conversations.app[0])) {
    const per = [];
    for (let r = 0; r < options.rounds; r++)
      per.push(
        await ingestRound(app, conversations.app, {
          durationMs: options.ingestMs,
          batch: options.batchSize,
        }),
      );
    batched = acrossRounds(per);
  } else log("batched contact messages answered 400: not in this build, n/a");
  raw.ingest_batched = batched;
  rows.push({
    name: `ingest, ${options.ingestSenders} senders, batches of ${options.batchSize}`,
    unit: "rate",
    app: batched?.rate ?? null,
    floor: single.floor.rate,
    target: "≥ 5× floor single",
    check: (a, f) => f !== null && a >= 5 * f,
  });

  // Expiry lateness: both servers at once (they only wait on their alarms).
  log(`expiry lateness (${options.expirySeconds} s max wait), app and floor side by side…`);
  const expirySockets = {
    app: await app.openRacerSocket(0),
    floor: await floor.openRacerSocket(0),
  };
  const expiryPer = { app: [], floor: [] };
  for (let r = 0; r < options.rounds; r++) {
    const [a, f] = await Promise.all(
      targets.map((t) =>
        expiryRound(t, expirySockets[t.name], {
          count: options.expiryHandoffs,
          seconds: options.expirySeconds,
        }),
      ),
    );
    expiryPer.app.push(summarize(a));
    expiryPer.floor.push(summarize(f));
  }
  for (const s of Object.values(expirySockets)) s.close();
  const expiry = { app: acrossRounds(expiryPer.app), floor: acrossRounds(expiryPer.floor) };
  raw.expiry = expiry;
  for (const p of ["p50", "p99"]) {
    rows.push({
      name: `expiry lateness after expires_at, ${p}`,
      unit: "ms",
      app: expiry.app[p],
      floor: expiry.floor[p],
      target: "< 1,000 ms",
      check: (a) => a < 1000,
    });
  }

  // The inbox list with N open handoffs, then the object's storage once they are all closed.
  const n = options.listHandoffs;
  const before = storageSnapshot(appServer.state);
  log(`opening ${n.toLocaleString("en-US")} handoffs (16 senders)…`);
  const fillStarted = performance.now();
  const openIds = await app.fill(n);
  const escalateRate = (n / (performance.now() - fillStarted)) * 1000;
  const probe = await app.list(200);
  const handoffBytes = Math.round(probe.text.length / Math.max(1, probe.json.handoffs.length));
  await floor.fill(n, handoffBytes);
  log(`inbox list with ${n.toLocaleString("en-US")} open…`);
  const list = await compare(targets, async (t) =>
    summarize((await listRound(t, { requests: options.listRequests })).samples),
  );
  raw.list = { ...list, handoff_bytes: handoffBytes, escalate_rate: escalateRate };
  rows.push(...latencyRows(`inbox list (200 of ${n.toLocaleString("en-US")} open)`, list));

  log(`closing the ${n.toLocaleString("en-US")} handoffs over 20 sockets…`);
  const closers = await Promise.all(
    Array.from({ length: app.racers }, (_, agent) => app.openRacerSocket(agent)),
  );
  const closeStarted = performance.now();
  await closeAll(app, closers, openIds);
  const closeRate = ((2 * n) / (performance.now() - closeStarted)) * 1000;
  for (const s of closers) s.close();
  const after = storageSnapshot(appServer.state);
  const delta = storageDelta(before, after);
  const per10k = (delta.used / n) * 10_000;
  raw.storage = {
    handoffs: n,
    before,
    after,
    delta,
    per_10k_closed_bytes: per10k,
    close_commands_rate: closeRate,
  };
  const scaled = n === 10_000 ? "" : ` (${n.toLocaleString("en-US")} × ${10_000 / n})`;
  // The feed keeps every event for 10 minutes (then the last 1,000) and the mirror marks clear as
  // D1 catches up: both shrink back, so the lasting cost is the rest.
  const transient = (delta.bytes.feed ?? 0) + (delta.bytes.mirror ?? 0);
  const lasting = ((delta.used - transient) / n) * 10_000;
  rows.push({
    name: `tenant object storage per 10,000 closed${scaled}`,
    unit: "bytes",
    app: per10k,
    floor: null,
    target: "(recorded)",
  });
  rows.push({
    name: `  of which lasting (without feed, mirror)`,
    unit: "bytes",
    app: lasting,
    floor: null,
    target: "(recorded)",
  });
  rows.push({
    name: "escalations, 16 senders (list setup)",
    unit: "rate",
    app: escalateRate,
    floor: null,
    target: "(recorded)",
  });
  rows.push({
    name: "claim + resolve commands, 20 sockets",
    unit: "rate",
    app: closeRate,
    floor: null,
    target: "(recorded)",
  });

  const info = { ...machine(), load_average_at_start: loadAtStart, load_average_at_end: loadavg() };
  const load = (l) => l.map((v) => v.toFixed(1)).join(" ");
  console.log(
    `\nHandoff Inbox bench — ${info.date}, ${info.nproc} × ${info.cpu}, Node ${info.node}, load average ${load(loadAtStart)} at start, ${load(info.load_average_at_end)} at end; rounds: ${options.rounds}${options.quick ? " (quick)" : ""}, medians of rounds\n`,
  );
  console.log(table(rows));
  console.log(
    "\nWhere the time goes: the app against the floor doing the app's SQL and frames per act (bench/floor/app-work.json)\n",
  );
  console.log(table(workRows, { floor: "floor + app's work", ratio: "app/that" }));
  const tables = Object.entries(delta.bytes)
    .filter(([, b]) => b !== 0)
    .sort((a, b) => b[1] - a[1])
    .map(
      ([t, b]) =>
        `${t} ${(b / 1e6).toFixed(2)} MB (${delta.rows[t] >= 0 ? "+" : ""}${delta.rows[t]} rows)`,
    );
  console.log(
    `\nStorage added by ${n.toLocaleString("en-US")} handoffs (escalated with 2 history messages, claimed, closed): ${tables.join(", ")}.`,
  );
  if (options.json) {
    writeFileSync(
      options.json,
      JSON.stringify({ machine: info, options, rows: rowsJson(rows), raw }, null, 2),
    );
    log(`wrote ${options.json}`);
  }
}

try {
  await main();
  log("done; stopping the servers");
} catch (error) {
  if (!interrupted) console.error(error);
  process.exitCode = 1;
} finally {
  await stopAll();
}
