// `npm run bench:profile`: where the CPU goes per act, the app beside the bare floor. Both run
// under `wrangler dev` with its inspector on, and each act is repeated under the profiler: a
// contact message to 10 sockets, a claim race of 20 on the socket, and one over HTTP. The table
// gives CPU milliseconds per act by part (library, our code, the runtime's own work), idle time
// left out; the floor's column is what the runtime costs without any of our code.
import { appTarget } from "./app-target.mjs";
import { inspector } from "./cpu-profile.mjs";
import { floorTarget } from "./floor-target.mjs";
import { httpClaimRound, socketClaimRound } from "./measure/claims.mjs";
import { fanoutRound } from "./measure/fanout.mjs";
import { freePort } from "../scripts/run.mjs";
import { startApp, startFloor, stopAll } from "./servers.mjs";

const MESSAGES = 100;
const RACES = 15;
const started = Date.now();
const log = (message) =>
  console.error(`[profile ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${message}`);

for (const signal of ["SIGINT", "SIGTERM"])
  process.on(signal, () => void stopAll().then(() => process.exit(130)));

function table(title, perAct) {
  const groups = [...new Set(perAct.flatMap((p) => Object.keys(p.groups)))].sort(
    (a, b) => (perAct[0].groups[b] ?? 0) - (perAct[0].groups[a] ?? 0),
  );
  const ms = (v) => (v === undefined ? "—" : `${v.toFixed(2)} ms`);
  const rows = [
    ["part", "app", "floor"],
    ...groups.map((g) => [g, ms(perAct[0].groups[g]), ms(perAct[1].groups[g])]),
    ["all CPU per act", ms(perAct[0].busy), ms(perAct[1].busy)],
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r) =>
    `| ${r.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(" | ")} |`;
  return [
    `\n${title}\n`,
    line(rows[0]),
    `|${widths.map((w, i) => (i ? "-".repeat(w + 1) + ":" : ":" + "-".repeat(w + 1))).join("|")}|`,
    ...rows.slice(1).map(line),
  ].join("\n");
}

const perAct = (result, acts) => ({
  busy: result.busy / acts,
  groups: Object.fromEntries(Object.entries(result.groups).map(([g, v]) => [g, v / acts])),
});

async function main() {
  const ports = { app: await freePort(), floor: await freePort() };
  log("starting the app and the floor with their inspectors…");
  const [appServer, floorServer] = await Promise.all([
    startApp({ log, args: ["--inspector-port", String(ports.app)] }),
    startFloor({ args: ["--inspector-port", String(ports.floor)] }),
  ]);
  const targets = [
    await appTarget(appServer.url, { agents: 20, keys: 1, log }),
    floorTarget(floorServer.url),
  ];
  const profilers = [await inspector(ports.app), await inspector(ports.floor)];
  const out = [];

  log(`contact message → 10 sockets, ${MESSAGES} messages each…`);
  const fanout = [];
  for (const [i, t] of targets.entries()) {
    const sockets = await t.openSockets(10);
    const [conversation] = await t.conversations(1);
    await fanoutRound(t, sockets, conversation, 5, "warm"); // compiled before measuring
    const result = await profilers[i].profile(() =>
      fanoutRound(t, sockets, conversation, MESSAGES, "profiled"),
    );
    fanout.push(perAct(result, MESSAGES));
    for (const s of sockets) s.close();
  }
  out.push(table("Contact message → 10 sockets: CPU per message", fanout));

  log(`claim races of 20 on the socket, ${RACES} races each…`);
  const socketClaims = [];
  for (const [i, t] of targets.entries()) {
    const racers = await Promise.all(
      Array.from({ length: t.racers }, (_, agent) => t.openRacerSocket(agent)),
    );
    await socketClaimRound(t, racers, 2);
    socketClaims.push(
      perAct(await profilers[i].profile(() => socketClaimRound(t, racers, RACES)), RACES),
    );
    for (const s of racers) s.close();
  }
  out.push(
    table("Claim on the socket, 20 racing: CPU per race (1 winner, 19 refused)", socketClaims),
  );

  log(`claim races of 20 over HTTP, ${RACES} races each…`);
  const httpClaims = [];
  for (const [i, t] of targets.entries()) {
    await httpClaimRound(t, 2);
    httpClaims.push(perAct(await profilers[i].profile(() => httpClaimRound(t, RACES)), RACES));
  }
  out.push(table("Claim over HTTP, 20 racing: CPU per race (1 winner, 19 refused)", httpClaims));

  for (const p of profilers) p.close();
  console.log(out.join("\n"));
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await stopAll();
}
