/**
 * Periodicity check on Crane's 16 DSP test series (the window Crane's own test evaluates):
 * labelled period vs detected dominant period, beside Crane's FindPeriod result.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadCrane } from "../../src/forecast/datasets.ts";
import { detectPeriods } from "../../src/forecast/periodicity.ts";

// Crane FindPeriod as re-implemented in the dataset README (seconds; null = no period).
const CRANE: Record<string, number | null> = {
  input3: 120,
  input4: null,
  input5: 48360,
  input6: 52560,
  input7: 604800,
};

const fmt = (s: number | null) =>
  s === null
    ? "none"
    : s < 3600
      ? `${s}s`
      : s % 86400 === 0
        ? `${s / 86400}d`
        : `${(s / 3600).toFixed(1)}h`;
const rows = loadCrane().map((s) => {
  const started = performance.now();
  const r = detectPeriods(s.values);
  const ms = performance.now() - started;
  const detected = r.period === null ? null : r.period * s.stepSeconds;
  const crane = s.name in CRANE ? (CRANE[s.name] ?? null) : s.expectedPeriodSeconds;
  return {
    series: s.name,
    label: s.expectedPeriodSeconds,
    detected,
    periods: r.periods.map((p) => p * s.stepSeconds),
    crane,
    match: detected === s.expectedPeriodSeconds,
    ms,
  };
});
console.log(
  [
    "series".padEnd(8),
    "label".padEnd(6),
    "opsloop".padEnd(8),
    "crane".padEnd(8),
    "ok".padEnd(3),
    "ms",
  ].join(" "),
);
for (const r of rows) {
  console.log(
    [
      r.series.padEnd(8),
      fmt(r.label).padEnd(6),
      fmt(r.detected).padEnd(8),
      fmt(r.crane).padEnd(8),
      (r.match ? "yes" : "NO").padEnd(3),
      r.ms.toFixed(0),
    ].join(" "),
  );
}
const periodic = rows.filter((r) => r.label !== null);
const summary = {
  matches: rows.filter((r) => r.match).length,
  periodsCorrect: periodic.filter((r) => r.match).length,
  periodic: periodic.length,
  classificationCorrect: rows.filter((r) => (r.detected === null) === (r.label === null)).length,
  craneClassificationCorrect: rows.filter((r) => (r.crane === null) === (r.label === null)).length,
  series: rows.length,
};
console.log(
  `labelled period matched on ${summary.matches}/${summary.series}; periods ${summary.periodsCorrect}/${summary.periodic}; ` +
    `periodic-vs-not ${summary.classificationCorrect}/${summary.series} (Crane FindPeriod: ${summary.craneClassificationCorrect}/${summary.series})`,
);
const dir = new URL("../results/", import.meta.url);
mkdirSync(dir, { recursive: true });
const file = new URL("crane-periodicity.json", dir);
writeFileSync(file, `${JSON.stringify({ summary, rows }, null, 2)}\n`);
console.log(`wrote ${file.pathname}`);
