/**
 * `npm run bench:rca`: root-cause ranking over simulated multi-service faults (bench/rca/faults.ts):
 * 40 cases, 10 each of latency, errors, CPU hog and memory leak, each on a random call graph.
 * Ranked from the wide metrics table with the injection time as the anomaly time (as the
 * RCAEval-style data sets provide it), with the call graph and from metrics alone, and once with
 * the call graph but the anomaly time detected from the data.
 * Then harder cases (faults.ts HARD_VARIANTS): telemetry noise, delayed propagation, and a
 * second, local symptom elsewhere at the same moment.
 * AC@k: share of cases with the true root in the top k; Avg@5: the mean of AC@1..AC@5.
 * No published baseline is quoted: their numbers are on other systems' data, not this simulator.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { rankServices } from "../../src/incidents/rca/metric-rank.ts";
import {
  FAULT_TYPES,
  type FaultCase,
  type FaultType,
  HARD_VARIANTS,
  runFaultCase,
} from "./faults.ts";

const PER_TYPE = Number(process.env.RCA_CASES_PER_TYPE ?? 10);
const HARD_PER_TYPE = Number(process.env.RCA_HARD_CASES_PER_TYPE ?? 5);

interface Method {
  name: string;
  deps: boolean;
  anomalyTime: boolean;
}

const METHODS: Method[] = [
  { name: "opsloop (metrics + call graph)", deps: true, anomalyTime: true },
  { name: "opsloop (metrics only)", deps: false, anomalyTime: true },
  { name: "opsloop (call graph, anomaly time detected)", deps: true, anomalyTime: false },
];

function position(c: FaultCase, m: Method): number {
  const ranked = rankServices(c.table, {
    ...(m.anomalyTime ? { anomalyTime: c.injectedAt } : {}),
    ...(m.deps ? { deps: c.deps } : {}),
  });
  const i = ranked.findIndex((r) => r.service === c.root && r.score > 0);
  return i < 0 ? Number.POSITIVE_INFINITY : i + 1;
}

function scores(positions: number[]) {
  const ac = (k: number) => positions.filter((p) => p <= k).length / positions.length;
  const acs = [1, 2, 3, 4, 5].map(ac);
  return {
    n: positions.length,
    "AC@1": acs[0] as number,
    "AC@3": acs[2] as number,
    "Avg@5": acs.reduce((a, b) => a + b, 0) / 5,
  };
}

const started = performance.now();
const cases: FaultCase[] = [];
for (const fault of FAULT_TYPES)
  for (let i = 0; i < PER_TYPE; i++) cases.push(runFaultCase(cases.length, fault));
const simMs = performance.now() - started;
const rows: Record<string, unknown>[] = [];
const results: Record<string, unknown> = { cases: cases.length, simulateMs: Math.round(simMs) };
for (const m of METHODS) {
  const method = m.name;
  for (const fault of [...FAULT_TYPES, "all"] as const) {
    const sel = cases.filter((c) => fault === "all" || c.fault === fault);
    const s = scores(sel.map((c) => position(c, m)));
    rows.push({
      method,
      fault,
      n: s.n,
      "AC@1": s["AC@1"].toFixed(2),
      "AC@3": s["AC@3"].toFixed(2),
      "Avg@5": s["Avg@5"].toFixed(2),
    });
    results[`${method}/${fault}`] = s;
  }
}
// Harder cases: 20 per variant (delay only on the faults that propagate: latency, errors).
const hard: FaultCase[] = [];
for (const variant of HARD_VARIANTS) {
  const types: readonly FaultType[] = variant === "delay" ? ["latency", "errors"] : FAULT_TYPES;
  const n = variant === "delay" ? 2 * HARD_PER_TYPE : HARD_PER_TYPE;
  for (const fault of types)
    for (let i = 0; i < n; i++) hard.push(runFaultCase(1000 + hard.length, fault, 42, variant));
}
for (const m of METHODS)
  for (const variant of HARD_VARIANTS)
    for (const fault of [...FAULT_TYPES, "all"] as const) {
      const sel = hard.filter(
        (c) => c.variant === variant && (fault === "all" || c.fault === fault),
      );
      if (sel.length === 0) continue;
      const s = scores(sel.map((c) => position(c, m)));
      results[`${m.name}/${variant}/${fault}`] = s;
      // The table shows every fault type for the first method, the totals for the others.
      if (fault !== "all" && m !== METHODS[0]) continue;
      rows.push({
        method: m.name,
        fault: `${fault}, ${variant}`,
        n: s.n,
        "AC@1": s["AC@1"].toFixed(2),
        "AC@3": s["AC@3"].toFixed(2),
        "Avg@5": s["Avg@5"].toFixed(2),
      });
    }
results.hardCases = hard.length;
console.table(rows);
mkdirSync(new URL("../results/", import.meta.url), { recursive: true });
writeFileSync(
  new URL("../results/rca.json", import.meta.url),
  `${JSON.stringify(results, null, 2)}\n`,
);
