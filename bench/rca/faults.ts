/**
 * Simulated multi-service faults for the RCA benchmark. Each case is a random call graph of
 * 6-8 services (a frontend, middle tiers, backends) on the simulator, each service a
 * Deployment + Service whose behaviour annotation lists its dependencies; after 6 minutes one
 * service gets a fault by a new rollout of its pod template (as a bad deploy would): slow
 * (latency), failing (errors), a CPU hog, or a memory leak. Callers feel latency and errors
 * through the simulator's request model; CPU and memory stay local. The telemetry is recorded
 * every 15 s as the wide table.
 */
import { seededRandom } from "../../src/core/ids.ts";
import type { WideTable } from "../../src/incidents/rca/wide-table.ts";
import { POD_BEHAVIOUR_ANNOTATION } from "../../src/sim/behaviour.ts";
import { SimCluster } from "../../src/sim/cluster.ts";
import { loadScenario } from "../../src/sim/scenarios/index.ts";
import { parseManifests } from "../../src/sim/scenarios/manifests.ts";
import type { KubeObject } from "../../src/sim/store/types.ts";
import { SimRecorder } from "./sim-record.ts";

export const FAULT_TYPES = ["latency", "errors", "cpu", "memory"] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

/**
 * Harder variants of a case: `noise` — every recorded value jittered (15% relative, gaussian)
 * with 2% of cells spiking 2-4x, as scrapes of busy services look; `delay` — each caller feels
 * the fault 2 minutes per hop later (caches, retries, queues in between); `two-symptoms` — at
 * the same moment another service gets a local fault of its own (a CPU hog or a memory leak),
 * which the ranking must not take for the cause of the cascade.
 */
export const HARD_VARIANTS = ["noise", "delay", "two-symptoms"] as const;
export type Variant = (typeof HARD_VARIANTS)[number];

export interface FaultCase {
  id: string;
  fault: FaultType;
  root: string;
  deps: Map<string, string[]>;
  injectedAt: number;
  table: WideTable;
  variant?: Variant;
  /** The service with the simultaneous local fault (two-symptoms). */
  distractor?: string;
}

const LAYERS = [
  ["frontend"],
  ["cart", "checkout", "catalog"],
  ["payment", "shipping", "currency", "recommend"],
  ["redis", "postgres"],
];
const MIN = 60_000;

interface Behaviour {
  traffic: { rps: number };
  latency: { p50Ms: number; p99Ms: number };
  cpu: { baseMilli: number; perRequestMilli: number };
  memory: { baseMi: number; leakMiPerMinute: number };
  errorRate: number;
  dependsOn: string[];
  timeoutMs: number;
}

function graph(rand: () => number): Map<string, string[]> {
  const layers = LAYERS.map((l, i) => (i === 0 ? l : l.filter(() => rand() < 0.75)));
  for (const [i, l] of layers.entries()) if (l.length === 0) layers[i] = [LAYERS[i]?.[0] as string];
  const deps = new Map<string, string[]>();
  layers.forEach((layer, i) => {
    const next = layers[i + 1] ?? [];
    for (const s of layer) {
      const callees = next.filter(() => rand() < 0.5);
      if (next.length > 0 && callees.length === 0)
        callees.push(next[Math.floor(rand() * next.length)] as string);
      deps.set(s, callees);
    }
  });
  return deps;
}

function manifest(name: string, b: Behaviour): string {
  return `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: app, labels: { app: ${name} } }
spec:
  replicas: 2
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata:
      labels: { app: ${name} }
      annotations: { ${POD_BEHAVIOUR_ANNOTATION}: '${JSON.stringify(b)}' }
    spec:
      containers:
        - name: ${name}
          image: ghcr.io/acme/app:1.0.0
          resources: { requests: { cpu: 50m, memory: 64Mi }, limits: { memory: 4Gi } }
---
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: app }
spec: { selector: { app: ${name} }, ports: [{ port: 80 }] }
`;
}

function faulty(b: Behaviour, fault: FaultType, rand: () => number): Behaviour {
  const f = structuredClone(b);
  if (fault === "latency") {
    const x = 20 + rand() * 60;
    f.latency = { p50Ms: b.latency.p50Ms * x, p99Ms: b.latency.p99Ms * x };
  } else if (fault === "errors") f.errorRate = 0.15 + rand() * 0.4;
  else if (fault === "cpu") f.cpu.baseMilli += 400 + rand() * 1000;
  else f.memory.leakMiPerMinute = 20 + rand() * 60;
  return f;
}

function inject(cluster: SimCluster, service: string, b: Behaviour): void {
  cluster.store.mutate("deployments.apps", "app", service, (d) => {
    const tpl = (d.spec as { template: { metadata: { annotations: Record<string, string> } } })
      .template;
    tpl.metadata.annotations = {
      ...tpl.metadata.annotations,
      [POD_BEHAVIOUR_ANNOTATION]: JSON.stringify(b),
    };
  });
}

export function runFaultCase(
  index: number,
  fault: FaultType,
  seed = 42,
  variant?: Variant,
): FaultCase {
  // Its own stream, so the plain cases stay what they were.
  const vrand = seededRandom(seed * 7919 + index);
  const rand = seededRandom(seed * 1000 + index);
  const deps = graph(rand);
  const services = [...deps.keys()];
  const root = services[Math.floor(rand() * services.length)] as string;
  const behaviours = new Map<string, Behaviour>();
  for (const s of services)
    behaviours.set(s, {
      traffic: { rps: Math.round(40 + rand() * 160) },
      latency: { p50Ms: Math.round(3 + rand() * 30), p99Ms: Math.round(60 + rand() * 120) },
      cpu: { baseMilli: Math.round(20 + rand() * 80), perRequestMilli: 1 },
      memory: { baseMi: Math.round(100 + rand() * 300), leakMiPerMinute: 0 },
      errorRate: rand() < 0.3 ? 0.001 : 0,
      dependsOn: deps.get(s) ?? [],
      timeoutMs: 1000 + Math.round(rand() * 2000),
    });
  const cluster = new SimCluster({ seed: index + 1, tickMs: 1000 });
  const nodes = (loadScenario("latency-cascade").objects as KubeObject[]).filter(
    (o) => o.kind === "Node",
  );
  let yaml = "apiVersion: v1\nkind: Namespace\nmetadata: { name: app }\n";
  for (const [s, b] of behaviours) yaml += `---${manifest(s, b)}`;
  cluster.apply([...nodes, ...parseManifests(yaml)]);
  cluster.step(MIN);
  const rec = new SimRecorder(cluster, "app");
  rec.run(5 * MIN);
  const injectedAt = cluster.clock.now();
  inject(cluster, root, faulty(behaviours.get(root) as Behaviour, fault, rand));
  let distractor: string | undefined;
  if (variant === "two-symptoms") {
    const others = services.filter((s) => s !== root);
    distractor = others[Math.floor(vrand() * others.length)] as string;
    const local = vrand() < 0.5 ? "cpu" : "memory";
    inject(cluster, distractor, faulty(behaviours.get(distractor) as Behaviour, local, vrand));
  }
  rec.run(6 * MIN);
  let table = rec.table();
  if (variant === "noise") table = noisy(table, vrand);
  if (variant === "delay") table = delayed(table, deps, root, injectedAt, 2 * MIN);
  return {
    id: `${fault}-${index}${variant ? `-${variant}` : ""}`,
    fault,
    root,
    deps,
    injectedAt,
    table,
    ...(variant ? { variant } : {}),
    ...(distractor ? { distractor } : {}),
  };
}

function noisy(t: WideTable, rand: () => number): WideTable {
  const gauss = () =>
    Math.sqrt(-2 * Math.log(Math.max(1e-12, rand()))) * Math.cos(2 * Math.PI * rand());
  const series = new Map<string, Map<string, number[]>>();
  for (const [svc, byMetric] of t.series) {
    const m = new Map<string, number[]>();
    for (const [metric, vs] of byMetric)
      m.set(
        metric,
        vs.map((v) => {
          const spike = rand() < 0.02 ? 2 + 2 * rand() : 1;
          return Math.max(0, v * (1 + 0.15 * gauss()) * spike);
        }),
      );
    series.set(svc, m);
  }
  return { times: t.times, series };
}

/** Callers of `root` at `hops` call-graph hops see every post-injection row `hops × lagMs` late. */
function delayed(
  t: WideTable,
  deps: Map<string, string[]>,
  root: string,
  injectedAt: number,
  lagMs: number,
): WideTable {
  const hops = new Map<string, number>([[root, 0]]);
  for (let frontier = [root]; frontier.length > 0; ) {
    const next: string[] = [];
    for (const [caller, callees] of deps)
      if (!hops.has(caller) && callees.some((c) => frontier.includes(c))) {
        hops.set(caller, (hops.get(frontier[0] as string) ?? 0) + 1);
        next.push(caller);
      }
    frontier = next;
  }
  const step = (t.times[1] ?? 0) - (t.times[0] ?? 0) || 15_000;
  const split = t.times.findIndex((x) => x >= injectedAt);
  const series = new Map<string, Map<string, number[]>>();
  for (const [svc, byMetric] of t.series) {
    const k = Math.round(((hops.get(svc) ?? 0) * lagMs) / step);
    const m = new Map<string, number[]>();
    for (const [metric, vs] of byMetric)
      m.set(
        metric,
        vs.map((v, i) =>
          k > 0 && split >= 0 && i >= split ? (vs[Math.max(0, i - k)] as number) : v,
        ),
      );
    series.set(svc, m);
  }
  return { times: t.times, series };
}
