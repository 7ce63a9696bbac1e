// `npm run bench -- [--rounds N] [--quick] [--json file]`: sizes for a full or a quick run.
import { parseArgs } from "node:util";

export function benchOptions(argv = process.argv.slice(2)) {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: "string" },
      quick: { type: "boolean", default: false },
      json: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log("npm run bench -- [--rounds N] [--quick] [--json results.json]");
    process.exit(0);
  }
  const quick = values.quick;
  const rounds = values.rounds === undefined ? (quick ? 1 : 3) : Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20)
    throw new Error("--rounds must be a whole number from 1 to 20");
  return {
    quick,
    rounds,
    json: values.json ?? null,
    fanoutSizes: [10, 100, 500],
    fanoutMessages: quick ? 8 : 20, // per size and round
    claimHandoffs: quick ? 4 : 10, // per round, 20 racers each
    ingestSenders: 16,
    ingestMs: quick ? 1500 : 4000, // per round and mode
    batchSize: 100,
    expiryHandoffs: quick ? 5 : 10, // per round
    expirySeconds: 10,
    listHandoffs: quick ? 1000 : 10_000,
    listRequests: quick ? 10 : 20, // per round
  };
}
