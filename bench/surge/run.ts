/**
 * `npm run bench:surge`: the traffic-surge scenario's Monday 09:00-11:00 2.5x surge (on `web`
 * and on `api`, which web calls), simulated from 08:32 to 11:30 in 5 s steps, twice:
 *
 * - reactive: an HPA on each (CPU 70%, web min 3, api min 2, max 20) and nothing else;
 * - planned: the same HPAs plus opsloop's plan for each workload, computed once at 08:32 from
 *   the 28 days of backfilled history before it (the bench never shows it the surge it is run
 *   on), capacity bounded by CPU and by the latency knee as the runtime's prescale path does,
 *   applied as the prescale runbooks do (src/forecast/prescale.ts): minReplicas raised to
 *   each episode's floor at its buffered start, back to the baseline at its end. (The runbook
 *   raises a later episode only when the HPA has fewer replicas than its floor; the bench
 *   raises it regardless, which can only cost more replica-minutes.)
 *
 * The HPA model (src/sim/controllers/hpa.ts) syncs every 15 s, scales up at most x2 or +4 pods
 * per 15 s, waits 300 s before scaling down, and reads CPU from the usage model with no
 * metrics-server delay (a real one adds 15-60 s: the reactive run here is the optimistic one).
 * New web pods need 90 s of warm-up before they are ready (readiness initialDelaySeconds).
 *
 * Counted: requests over the 500 ms latency SLO (measure.ts), for web's own latency and end
 * to end; replica-minutes (cost). No published number exists for this setup: AWS predictive
 * scaling exists to remove exactly this lag.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { hpaFor } from "../../src/act/actions/resources.ts";
import { clusterHistory } from "../../src/forecast/history/simulated.ts";
import { planWorkload } from "../../src/forecast/plan-workload.ts";
import { episodeSchedule, prescaleEpisodes } from "../../src/forecast/prescale.ts";
import { formatTable } from "../../src/interfaces/cli/table.ts";
import { SimCluster } from "../../src/sim/cluster.ts";
import {
  installScenario,
  loadScenario,
  scenarioClusterOptions,
} from "../../src/sim/scenarios/index.ts";
import type { KubeObject } from "../../src/sim/store/types.ts";
import { isPodReady } from "../../src/sim/telemetry/app-model.ts";
import { appPods, EndToEnd, ownOverSlo, SLO_SECONDS, weeklySurges } from "./measure.ts";

const END = Date.parse("2026-01-05T11:30:00Z");
const STEP_MS = 5_000;
const BASELINE: Record<string, number> = { web: 3, api: 2 };

interface Result {
  variant: string;
  ownOverSlo: number;
  endToEndOverSlo: number;
  requests: number;
  readyAt0900: number;
  firstReadyAbove3: string;
  replicaMinutes: number;
  wallMs: number;
}

function hpa(name: string): KubeObject {
  return hpaFor(
    { kind: "Deployment", namespace: "shop", name },
    { minReplicas: BASELINE[name] as number, maxReplicas: 20, cpuUtilization: 70 },
  ) as KubeObject;
}

function setup(): SimCluster {
  const scenario = loadScenario("traffic-surge");
  const cluster = new SimCluster(scenarioClusterOptions(scenario));
  installScenario(cluster, scenario);
  cluster.store.mutate("deployments.apps", "shop", "web", (d: KubeObject) => {
    const c = (
      d.spec as {
        template: { spec: { containers: { readinessProbe?: Record<string, unknown> }[] } };
      }
    ).template.spec.containers[0];
    if (c) c.readinessProbe = { ...(c.readinessProbe ?? {}), initialDelaySeconds: 90 };
  });
  cluster.step(120_000);
  cluster.apply(Object.keys(BASELINE).map(hpa));
  return cluster;
}

type Schedule = Map<string, { at: number; minReplicas: number }[]>;

function plan(cluster: SimCluster): { schedule: Schedule; lines: string[] } {
  const history = clusterHistory(cluster, 28);
  const schedule: Schedule = new Map();
  const lines: string[] = [];
  for (const name of Object.keys(BASELINE)) {
    const w = planWorkload(
      history,
      { kind: "Deployment", namespace: "shop", name },
      {
        targetUtilization: 0.7,
        maxReplicas: 20,
        latencyAware: true,
      },
    );
    const surges = weeklySurges(w.traffic).map((r) => `${r.toFixed(2)}x`);
    const first = prescaleEpisodes(w.plan)[0];
    lines.push(
      `${name}: ${w.traffic.rps.length} h of history, Monday 09-11 vs Tuesday per week: ${surges.join(" ")}; ` +
        `capacity ${w.capacityPerReplica.toFixed(1)} rps/replica at 100% (${w.latencyCapacity ? `latency usual up to ${w.latencyCapacity.toFixed(1)} rps` : "no latency bound"}); first episode ` +
        (first ? `${iso(first.start)}-${iso(first.end)} → ${first.replicas} replicas` : "none"),
    );
    schedule.set(name, episodeSchedule(w.plan, BASELINE[name] as number));
  }
  return { schedule, lines };
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(5, 16).replace("T", " ");
}

/** The floor in force at `now`: the last change at or before it (the runbook's job). */
function applyFloors(cluster: SimCluster, schedule: Schedule, now: number): void {
  for (const [name, changes] of schedule) {
    const due = changes.filter((c) => c.at <= now).pop();
    if (!due) continue;
    cluster.store.mutate("horizontalpodautoscalers.autoscaling", "shop", name, (h: KubeObject) => {
      const spec = h.spec as { minReplicas: number };
      if (spec.minReplicas !== due.minReplicas) spec.minReplicas = due.minReplicas;
    });
  }
}

function run(variant: "reactive HPA" | "HPA + opsloop plan", schedule: Schedule): Result {
  const started = performance.now();
  const cluster = setup();
  const e2e = new EndToEnd(cluster);
  e2e.observe();
  const before = e2e.totals();
  let own = 0;
  let replicaSeconds = 0;
  let readyAt0900 = 0;
  let firstReadyAbove3 = "never";
  for (let t = cluster.clock.now(); t < END; t = cluster.clock.now()) {
    applyFloors(cluster, schedule, t);
    own += ownOverSlo(cluster, STEP_MS / 1000);
    cluster.step(STEP_MS);
    e2e.observe();
    const ready = appPods(cluster, "web").filter(isPodReady).length;
    const now = cluster.clock.now();
    if (now === Date.parse("2026-01-05T09:00:00Z")) readyAt0900 = ready;
    if (ready > 3 && firstReadyAbove3 === "never") firstReadyAbove3 = iso(now).slice(6);
    replicaSeconds += (ready * STEP_MS) / 1000;
  }
  const after = e2e.totals();
  return {
    variant,
    ownOverSlo: Math.round(own),
    endToEndOverSlo: Math.round(after.overSlo - before.overSlo),
    requests: Math.round(after.requests - before.requests),
    readyAt0900,
    firstReadyAbove3,
    replicaMinutes: Math.round(replicaSeconds / 60),
    wallMs: Math.round(performance.now() - started),
  };
}

function reduction(reactive: number, planned: number): string {
  if (reactive < 1000)
    return `n/a: only ${reactive} requests over the SLO without the plan, too few for a ratio`;
  return `${(100 * (1 - planned / reactive)).toFixed(2)}% (${reactive} → ${planned})`;
}

const planned = plan(setup());
const results = [run("reactive HPA", new Map()), run("HPA + opsloop plan", planned.schedule)];
const [r, p] = results as [Result, Result];
process.stdout.write(
  `traffic-surge, Monday 2026-01-05 08:32-11:30 UTC, SLO: a web request served in ≤ ${SLO_SECONDS * 1000} ms\n` +
    `${planned.lines.join("\n")}\n` +
    formatTable(
      [
        "VARIANT",
        "OVER SLO (WEB OWN)",
        "OVER SLO (END TO END)",
        "WEB REQUESTS",
        "WEB READY 09:00",
        "WEB >3 READY AT",
        "WEB REPLICA-MIN",
        "WALL MS",
      ],
      results.map((x) => [
        x.variant,
        String(x.ownOverSlo),
        String(x.endToEndOverSlo),
        String(x.requests),
        String(x.readyAt0900),
        x.firstReadyAbove3,
        String(x.replicaMinutes),
        String(x.wallMs),
      ]),
    ) +
    `\nreduction, web's own latency: ${reduction(r.ownOverSlo, p.ownOverSlo)}` +
    `\nreduction, end to end:        ${reduction(r.endToEndOverSlo, p.endToEndOverSlo)}\n`,
);
mkdirSync(new URL("../results/", import.meta.url), { recursive: true });
writeFileSync(
  new URL("../results/surge.json", import.meta.url),
  `${JSON.stringify({ slo: SLO_SECONDS, plan: planned.lines, results }, null, 2)}\n`,
);
