// The bench's table: app vs floor per figure, the ratio, the target and whether it is met.
import { cpus, availableParallelism } from "node:os";

const ms = (v) =>
  v === null || v === undefined ? "n/a" : v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(1)} ms`;
const rate = (v) =>
  v === null || v === undefined ? "n/a" : `${Math.round(v).toLocaleString("en-US")}/s`;
const bytes = (v) =>
  v === null || v === undefined
    ? "n/a"
    : v >= 1e6
      ? `${(v / 1e6).toFixed(1)} MB`
      : `${(v / 1e3).toFixed(0)} kB`;
const FORMAT = { ms, rate, bytes };

/**
 * A row: `app` and `floor` figures in one unit; `check(app, floor)` says if the target is met.
 * @typedef {{ name: string, unit: "ms" | "rate" | "bytes", app: number | null, floor: number | null,
 *   target: string, check?: (app: number, floor: number | null) => boolean }} Row
 */

export function machine() {
  return {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? "unknown",
    node: process.version,
    date: new Date().toISOString(),
  };
}

/**
 * @param {Row[]} rows
 * @param {{ floor?: string, ratio?: string }} [labels] what the floor column holds
 */
export function table(rows, labels = {}) {
  const lines = [
    ["figure", "app", labels.floor ?? "floor", labels.ratio ?? "app/floor", "target", "met"],
  ];
  for (const row of rows) {
    const f = FORMAT[row.unit];
    const ratio =
      row.app !== null && row.floor !== null && row.floor > 0
        ? `${(row.app / row.floor).toFixed(2)}×`
        : "—";
    const met = row.app === null || !row.check ? "—" : row.check(row.app, row.floor) ? "yes" : "NO";
    lines.push([
      row.name,
      f(row.app),
      row.floor === null ? "—" : f(row.floor),
      ratio,
      row.target,
      met,
    ]);
  }
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  const fmt = (l) =>
    `| ${l.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  return [
    fmt(lines[0]),
    `|${widths.map((w, i) => (i === 0 || i === 4 ? ":" : "-") + "-".repeat(w) + (i === 0 || i === 4 ? "-" : ":")).join("|")}|`,
    ...lines.slice(1).map(fmt),
  ].join("\n");
}

/** Rows as plain data (no functions) for --json. */
export const rowsJson = (rows) =>
  rows.map(({ check, ...row }) => ({
    ...row,
    ratio: row.app !== null && row.floor ? row.app / row.floor : null,
    met: row.app === null || !check ? null : check(row.app, row.floor),
  }));
