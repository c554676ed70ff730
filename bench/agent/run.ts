/**
 * bench:agent — how long one agent tick holds the event loop on a large simulated cluster.
 * For each size the simulator runs in a child process (bench/agent/sim-server.ts); this process
 * runs `startRuntime` against it exactly as `opsloop run` does (informers, scraper, detection,
 * incidents on SQLite) and records, over `--ticks` ticks after `--warmup`: each tick's wall time
 * and process CPU, and the event-loop delay (perf_hooks.monitorEventLoopDelay) p50/p99/max, which
 * is what an MCP/HTTP request or the dashboard's SSE waits behind. Writes
 * bench/results/agent-<label>.json; with `--compare=<label>` prints that run beside this one.
 *
 * Mode "tick" runs without the scraper, so a tick's wall and CPU are the tick's own; mode "full"
 * adds the scrape pipeline, whose work interleaves with the tick's awaits.
 *
 *   npm run bench:agent -- --pods=1000,5000 --modes=tick,full --ticks=15 --label=after --compare=before
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { startRuntime } from "../../src/agent/runtime.ts";

const args = new Map(
  process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=") as [string, string]),
);
const SIZES = (args.get("pods") ?? "1000,5000").split(",").map(Number);
const TICKS = Number(args.get("ticks") ?? 15);
const WARMUP = Number(args.get("warmup") ?? 3);
const LABEL = args.get("label") ?? "current";
const COMPARE = args.get("compare");
/** "full": informers, scraper and live detection, as `opsloop run`; "tick": no scraper, the tick alone. */
const MODES = (args.get("modes") ?? "tick,full").split(",") as Mode[];
type Mode = "tick" | "full";

export interface SizeResult {
  mode: Mode;
  pods: number;
  ticks: number;
  syncMs: number;
  findings: number;
  incidents: number;
  wallMs: { p50: number; max: number };
  cpuMs: { p50: number; max: number };
  loopDelayMs: { p50: number; p99: number; max: number };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
const r1 = (x: number) => Math.round(x * 10) / 10;

async function startSim(pods: number) {
  const child = spawn("node_modules/.bin/node", ["bench/agent/sim-server.ts", `--pods=${pods}`], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  const { kubeconfig } = JSON.parse(first) as { kubeconfig: string };
  return {
    kubeconfig,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

async function measure(pods: number, mode: Mode): Promise<SizeResult> {
  const sim = await startSim(pods);
  const s0 = performance.now();
  const rt = await startRuntime({
    kubeconfig: sim.kubeconfig,
    autoStart: false,
    ...(mode === "tick" ? { metricsUrl: false as const } : {}),
  });
  const syncMs = performance.now() - s0;
  const eld = monitorEventLoopDelay({ resolution: 5 });
  const wall: number[] = [];
  const cpu: number[] = [];
  let n = 0;
  let finished: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const tick = rt.agent.tick.bind(rt.agent);
  rt.agent.tick = async () => {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    const events = await tick();
    const c = process.cpuUsage(c0);
    n++;
    if (n === WARMUP) eld.enable();
    if (n > WARMUP) {
      wall.push(performance.now() - w0);
      cpu.push((c.user + c.system) / 1000);
    }
    if (n === WARMUP + TICKS) finished();
    return events;
  };
  rt.start();
  await done;
  eld.disable();
  const out: SizeResult = {
    mode,
    pods: rt.source.snapshot().pods.length,
    ticks: wall.length,
    syncMs: Math.round(syncMs),
    findings: rt.agent.findings().length,
    incidents: rt.incidents.list({ active: true }).length,
    wallMs: { p50: r1(pct(wall, 50)), max: r1(Math.max(...wall)) },
    cpuMs: { p50: r1(pct(cpu, 50)), max: r1(Math.max(...cpu)) },
    loopDelayMs: {
      p50: r1(eld.percentile(50) / 1e6),
      p99: r1(eld.percentile(99) / 1e6),
      max: r1(eld.max / 1e6),
    },
  };
  await rt.close();
  await sim.stop();
  return out;
}

function table(columns: string[], rows: string[][]): string {
  const w = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(w[i] as number))
      .join("  ")
      .trimEnd();
  return [line(columns), ...rows.map(line)].join("\n");
}

const row = (label: string, r: SizeResult) => [
  label,
  r.mode,
  String(r.pods),
  `${r.findings}/${r.incidents}`,
  `${r.wallMs.p50} / ${r.wallMs.max}`,
  `${r.cpuMs.p50} / ${r.cpuMs.max}`,
  `${r.loopDelayMs.p50} / ${r.loopDelayMs.p99} / ${r.loopDelayMs.max}`,
];
const COLUMNS = [
  "RUN",
  "MODE",
  "PODS",
  "FINDINGS/INCIDENTS",
  "TICK WALL ms p50/max",
  "TICK CPU ms p50/max",
  "LOOP DELAY ms p50/p99/max",
];

const results: SizeResult[] = [];
for (const pods of SIZES)
  for (const mode of MODES) {
    const r = await measure(pods, mode);
    results.push(r);
    console.log(table(COLUMNS, [row(LABEL, r)]));
  }
const dir = new URL("../results/", import.meta.url);
mkdirSync(dir, { recursive: true });
const file = new URL(`agent-${LABEL}.json`, dir);
writeFileSync(file, `${JSON.stringify({ label: LABEL, ticks: TICKS, results }, null, 2)}\n`);
console.log(`wrote ${file.pathname}`);
if (COMPARE) {
  const base = JSON.parse(readFileSync(new URL(`agent-${COMPARE}.json`, dir), "utf8")) as {
    results: SizeResult[];
  };
  const rows: string[][] = [];
  for (const r of results) {
    const b = base.results.find(
      (x) => (x.mode ?? "full") === r.mode && Math.abs(x.pods - r.pods) <= r.pods * 0.05,
    );
    if (b) rows.push(row(COMPARE, b));
    rows.push(row(LABEL, r));
  }
  console.log(`\n${table(COLUMNS, rows)}`);
}
