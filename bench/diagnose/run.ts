/**
 * bench:diagnose — every case of the corpus (test/cases/diagnose) with its pass/fail and time,
 * then a 5,000-pod simulated cluster (one Deployment in ten broken) served over HTTP: a KubeSource
 * syncs it, and the CPU time of diagnose() alone is measured with process.cpuUsage (target
 * < 1 s). Prints tables and writes bench/results/diagnose.json.
 *   node bench/diagnose/run.ts [--pods-only] [--cases-only] [--namespaces=50 --per-namespace=10 --replicas=10]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { listCases, runCase } from "../../src/diagnose/cases.ts";
import { diagnose } from "../../src/diagnose/index.ts";
import { SimSession } from "../../src/diagnose/sim-run.ts";
import { SimCluster } from "../../src/sim/cluster.ts";
import { KubeSource } from "../../src/sources/kubernetes/kube-source.ts";
import { bigCluster } from "./big-cluster.ts";

const args = new Map(
  process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=") as [string, string]),
);
const num = (k: string, d: number) => Number(args.get(k) ?? d);

function table(columns: string[], rows: string[][]): string {
  const w = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(w[i] as number))
      .join("  ")
      .trimEnd();
  return [line(columns), ...rows.map(line)].join("\n");
}

async function cases() {
  const rows = [];
  for (const name of listCases()) {
    const r = await runCase(name).catch((e: Error) => ({
      name,
      failure: e.message,
      ms: 0,
      expected: undefined,
    }));
    rows.push({
      name,
      analyzer: r.expected?.analyzer ?? "?",
      pass: !r.failure,
      ms: Math.round(r.ms),
      failure: r.failure,
    });
  }
  const passed = rows.filter((r) => r.pass).length;
  console.log(
    table(
      ["CASE", "ANALYZER", "RESULT", "MS"],
      rows.map((r) => [r.name, r.analyzer, r.pass ? "pass" : "FAIL", String(r.ms)]),
    ),
  );
  for (const r of rows.filter((x) => !x.pass)) console.log(`\n${r.name}: ${r.failure}`);
  console.log(
    `\npass rate: ${passed}/${rows.length} (${((100 * passed) / Math.max(rows.length, 1)).toFixed(1)}%)\n`,
  );
  return { passed, total: rows.length, rows };
}

async function large() {
  const { objects, faults, pods } = bigCluster({
    namespaces: num("namespaces", 50),
    perNamespace: num("per-namespace", 10),
    replicas: num("replicas", 10),
  });
  const cluster = new SimCluster({ tickMs: 5_000 });
  const t0 = performance.now();
  cluster.apply(objects);
  cluster.step(3 * 60_000);
  const simMs = performance.now() - t0;
  const session = await SimSession.start(cluster);
  const source = new KubeSource(session.kc);
  try {
    const s0 = performance.now();
    await source.start();
    const syncMs = performance.now() - s0;
    const snap = source.snapshot();
    const now = cluster.clock.now();
    // One warm-up pass (JIT), then the measured ones: CPU of diagnose() only, logs included.
    await diagnose({ snap, now, readLog: source.readLog });
    const runs: { cpuMs: number; wallMs: number; findings: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      const findings = await diagnose({ snap, now, readLog: source.readLog });
      const cpu = process.cpuUsage(c0);
      runs.push({
        cpuMs: (cpu.user + cpu.system) / 1000,
        wallMs: performance.now() - w0,
        findings: findings.length,
      });
    }
    const best = runs.reduce((a, b) => (b.cpuMs < a.cpuMs ? b : a));
    const byReason: Record<string, number> = {};
    for (const f of await diagnose({ snap, now, readLog: source.readLog }))
      byReason[`${f.source.replace("diagnose/", "")}/${f.reason}`] =
        (byReason[`${f.source.replace("diagnose/", "")}/${f.reason}`] ?? 0) + 1;
    const out = {
      pods: snap.pods.length,
      plannedPods: pods,
      faultyDeployments: faults,
      simMs: Math.round(simMs),
      syncMs: Math.round(syncMs),
      runs,
      best,
    };
    console.log(
      table(
        ["PODS", "FAULTY DEPLOYMENTS", "FINDINGS", "SYNC", "DIAGNOSE CPU", "TARGET"],
        [
          [
            String(out.pods),
            String(faults),
            String(best.findings),
            `${out.syncMs} ms`,
            `${best.cpuMs.toFixed(0)} ms`,
            `< 1000 ms ${best.cpuMs < 1000 ? "ok" : "MISSED"}`,
          ],
        ],
      ),
    );
    console.log(`findings by analyzer/reason: ${JSON.stringify(byReason)}`);
    return out;
  } finally {
    await source.stop();
    await session.close();
  }
}

const result: Record<string, unknown> = {};
if (!args.has("pods-only")) result.cases = await cases();
if (!args.has("cases-only")) result.large = await large();
const dir = new URL("../results/", import.meta.url);
mkdirSync(dir, { recursive: true });
const file = new URL("diagnose.json", dir);
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(`\nwrote ${file.pathname}`);
