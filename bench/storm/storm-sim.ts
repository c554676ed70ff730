/**
 * A simulated alert storm with a known cause. A cluster of three zones runs many small
 * Deployments; node-a-1's hardware fails (the simulator's node behaviour), so the node goes
 * NotReady and every pod on it goes NotReady — or, with `cause: "database"`, every Deployment
 * calls a `db` whose readiness starts failing, so its Service has no endpoints and every
 * caller's pods answer 503 (HighErrorRate from the simulator's request counters). Unrelated faults run at the same time, pinned to
 * the other nodes: a crash-looping Deployment and one with a missing ConfigMap. Alerts are
 * evaluated from the cluster state every 30 s the way the kube-prometheus rules read
 * kube-state-metrics (KubeNodeNotReady, KubePodNotReady, TargetDown, KubePodCrashLooping,
 * KubeContainerWaiting, KubeDeploymentReplicasMismatch) and sent as Alertmanager webhook
 * payloads (one per alertname group, repeated while firing, as Alertmanager does).
 */

import { stableId } from "../../src/core/ids.ts";
import { type Topology, topologyFromSnapshot } from "../../src/incidents/topology.ts";
import { NODE_BEHAVIOUR_ANNOTATION, POD_BEHAVIOUR_ANNOTATION } from "../../src/sim/behaviour.ts";
import { DEFAULT_START, SimCluster } from "../../src/sim/cluster.ts";
import { loadScenario } from "../../src/sim/scenarios/index.ts";
import { parseManifests } from "../../src/sim/scenarios/manifests.ts";
import type { KubeObject } from "../../src/sim/store/types.ts";
import type { Alert, WebhookPayload } from "../../src/sources/alertmanager/payload.ts";
import { clusterSnapshot } from "../rca/sim-record.ts";

export interface StormOptions {
  /** A failed node (its pods go NotReady) or a database whose readiness fails (its callers error). */
  cause?: "node" | "database";
  deployments?: number;
  replicas?: number;
  failedNode?: string;
  seed?: number;
}

export interface Storm {
  /** Webhook payloads with the simulated time each was sent and the topology then. */
  notifications: { at: number; payload: WebhookPayload; topology: Topology }[];
  /** Fingerprints of alerts whose cause is the failed node, and of each noise source. */
  truth: { cause: Set<string>; noise: Map<string, Set<string>> };
}

const SEC = 1000;

function deployment(name: string, replicas: number, extra: Record<string, unknown> = {}): string {
  const b = JSON.stringify({
    crash: extra.crash,
    traffic: { rps: 10 },
    ...(extra.deps ? { dependsOn: extra.deps } : {}),
  });
  const probe = extra.probe ? "readinessProbe: { httpGet: { path: /healthz, port: 8080 } }" : "";
  return `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: shop, labels: { app: ${name} } }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata:
      labels: { app: ${name} }
      annotations: { sim.opsloop.dev/behaviour: '${b}' }
    spec:
      ${extra.node ? `nodeSelector: { kubernetes.io/hostname: ${extra.node} }` : ""}
      containers:
        - name: ${name}
          image: ghcr.io/acme/app:1.0.0
          ${extra.env ? `env: [{ name: CFG, valueFrom: { configMapKeyRef: { name: missing, key: k } } }]` : ""}
          resources: { requests: { cpu: 10m, memory: 32Mi } }
          ${probe}
---
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: shop }
spec: { selector: { app: ${name} }, ports: [{ port: 80 }] }
`;
}

function buildCluster(o: Required<StormOptions>): SimCluster {
  const scenario = loadScenario("latency-cascade");
  const cluster = new SimCluster({ seed: o.seed, start: DEFAULT_START, tickMs: 1000 });
  const nodes = (scenario.objects as KubeObject[]).filter((x) => x.kind === "Node");
  let yaml = "apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n";
  const db = o.cause === "database";
  for (let i = 0; i < o.deployments; i++)
    yaml += `---${deployment(`svc-${i}`, o.replicas, db ? { deps: ["db"] } : {})}`;
  if (db) yaml += `---${deployment("db", 2, { probe: true })}`;
  yaml += `---${deployment("batch", 2, { node: "node-b-1", crash: { afterSeconds: 5, exitCode: 1, log: ["panic: nil map"] } })}`;
  yaml += `---${deployment("reports", 2, { node: "node-c-1", env: true })}`;
  cluster.apply([...nodes, ...parseManifests(yaml)]);
  return cluster;
}

function ready(o: KubeObject): boolean {
  const conds = (o.status?.conditions ?? []) as { type: string; status: string }[];
  return conds.some((c) => c.type === "Ready" && c.status === "True");
}

/** Alert rules over the store, like kube-prometheus over kube-state-metrics and up{}. */
function evaluate(cluster: SimCluster, failed: string, errors: ErrorRates): Alert[] {
  const now = new Date(cluster.clock.now()).toISOString();
  const out: Alert[] = [];
  const fire = (labels: Record<string, string>, summary: string) =>
    out.push({
      status: "firing",
      labels: { severity: "warning", ...labels },
      annotations: { summary },
      startsAt: now,
      endsAt: "0001-01-01T00:00:00Z",
      fingerprint: stableId(JSON.stringify(Object.entries(labels).sort())),
    });
  for (const n of cluster.store.list("nodes")) {
    const name = n.metadata.name as string;
    if (!ready(n)) {
      fire({ alertname: "KubeNodeNotReady", node: name }, `${name} has been unready.`);
      fire(
        { alertname: "TargetDown", job: "node-exporter", node: name },
        `node-exporter on ${name} is down.`,
      );
    }
  }
  for (const p of cluster.store.list("pods", { namespace: "shop" })) {
    const l = { namespace: "shop", pod: p.metadata.name as string };
    const statuses = (p.status?.containerStatuses ?? []) as {
      restartCount?: number;
      state?: { waiting?: { reason?: string } };
    }[];
    const waiting = statuses[0]?.state?.waiting?.reason;
    if (waiting === "CrashLoopBackOff")
      fire({ alertname: "KubePodCrashLooping", ...l }, `Pod ${l.pod} is crash looping.`);
    else if (waiting && waiting !== "ContainerCreating")
      fire({ alertname: "KubeContainerWaiting", ...l }, `${l.pod} waiting: ${waiting}.`);
    const share = errors.share(p);
    if (share > 0.05)
      fire(
        { alertname: "HighErrorRate", ...l, severity: "critical" },
        `${l.pod} answers ${(share * 100).toFixed(0)}% of requests with 5xx.`,
      );
    if (!ready(p) && (p.spec?.nodeName === failed || p.metadata.labels?.app === "db")) {
      fire({ alertname: "KubePodNotReady", ...l }, `Pod ${l.pod} has been in a non-ready state.`);
      fire({ alertname: "TargetDown", job: "app", ...l }, `Target ${l.pod} is down.`);
    }
  }
  for (const d of cluster.store.list("deployments.apps", { namespace: "shop" })) {
    const want = (d.spec?.replicas as number) ?? 1;
    const avail = (d.status?.availableReplicas as number | undefined) ?? 0;
    if (avail < want)
      fire(
        {
          alertname: "KubeDeploymentReplicasMismatch",
          namespace: "shop",
          deployment: d.metadata.name as string,
        },
        `Deployment ${d.metadata.name} has not matched the expected number of replicas.`,
      );
  }
  return out;
}

/** Per-pod 5xx share between two evaluations, from the simulator's request counters. */
class ErrorRates {
  private readonly cluster: SimCluster;
  private last = new Map<string, { total: number; bad: number }>();
  private now = new Map<string, { total: number; bad: number }>();

  constructor(cluster: SimCluster) {
    this.cluster = cluster;
  }

  sample(): void {
    this.last = this.now;
    this.now = new Map();
    this.cluster.telemetry.render();
    for (const [uid, r] of this.cluster.telemetry.requests) {
      let total = 0;
      let bad = 0;
      for (const [code, n] of r.byCode) {
        total += n;
        if (code.startsWith("5")) bad += n;
      }
      this.now.set(uid, { total, bad });
    }
  }

  share(pod: KubeObject): number {
    const uid = pod.metadata.uid as string;
    const a = this.last.get(uid);
    const b = this.now.get(uid);
    if (!a || !b || b.total - a.total <= 0) return 0;
    return (b.bad - a.bad) / (b.total - a.total);
  }
}

function snapshotOf(cluster: SimCluster): Topology {
  return topologyFromSnapshot(clusterSnapshot(cluster));
}

function payloads(alerts: Alert[], resolved: Alert[]): WebhookPayload[] {
  const groups = new Map<string, Alert[]>();
  for (const a of [...alerts, ...resolved]) {
    const g = a.labels.alertname ?? "";
    groups.set(g, [...(groups.get(g) ?? []), a]);
  }
  return [...groups].map(([name, as]) => ({
    version: "4",
    groupKey: `{}:{alertname="${name}"}`,
    truncatedAlerts: 0,
    status: as.some((a) => a.status === "firing") ? "firing" : "resolved",
    receiver: "opsloop",
    groupLabels: { alertname: name },
    commonLabels: { alertname: name },
    commonAnnotations: {},
    externalURL: "http://alertmanager:9093",
    alerts: as,
  }));
}

/** Runs the storm: 1 min healthy, the failure, 4 min of alert evaluations every 30 s. */
export function simulateStorm(opts: StormOptions = {}): Storm {
  const o: Required<StormOptions> = {
    cause: "node",
    deployments: 60,
    replicas: 4,
    failedNode: "node-a-1",
    seed: 1,
    ...opts,
  };
  const cluster = buildCluster(o);
  cluster.step(60 * SEC);
  const errors = new ErrorRates(cluster);
  errors.sample();
  if (o.cause === "node") failNode(cluster, o.failedNode);
  else failDatabase(cluster);
  const notifications: Storm["notifications"] = [];
  const truth: Storm["truth"] = { cause: new Set(), noise: new Map() };
  let firing = new Map<string, Alert>();
  for (let t = 0; t < 8; t++) {
    cluster.step(30 * SEC);
    errors.sample();
    const now = cluster.clock.now();
    const current = new Map(
      evaluate(cluster, o.cause === "node" ? o.failedNode : "", errors).map((a) => [
        a.fingerprint as string,
        a,
      ]),
    );
    for (const [fp, a] of current) {
      const prev = firing.get(fp);
      if (prev) a.startsAt = prev.startsAt;
      classify(a, truth);
    }
    const resolved = [...firing]
      .filter(([fp]) => !current.has(fp))
      .map(([, a]) => ({ ...a, status: "resolved" as const, endsAt: new Date(now).toISOString() }));
    firing = current;
    const topology = snapshotOf(cluster);
    for (const payload of payloads([...current.values()], resolved))
      notifications.push({ at: now, payload, topology });
  }
  return { notifications, truth };
}

function failNode(cluster: SimCluster, node: string): void {
  cluster.store.mutate("nodes", undefined, node, (n) => {
    n.metadata.annotations = {
      ...n.metadata.annotations,
      [NODE_BEHAVIOUR_ANNOTATION]: JSON.stringify({ hardware: { failAfterHours: 0.001 } }),
    };
  });
}

/** The database's health endpoint starts failing: its pods leave the Service's endpoints. */
function failDatabase(cluster: SimCluster): void {
  for (const p of cluster.store.list("pods", { namespace: "shop" })) {
    if (p.metadata.labels?.app !== "db") continue;
    cluster.store.mutate("pods", "shop", p.metadata.name as string, (d) => {
      d.metadata.annotations = {
        ...d.metadata.annotations,
        [POD_BEHAVIOUR_ANNOTATION]: JSON.stringify({ probesFailAfterSeconds: 0 }),
      };
    });
  }
}

const NOISE = ["batch", "reports"];

function classify(a: Alert, truth: Storm["truth"]): void {
  const l = a.labels;
  const fp = a.fingerprint as string;
  const source = NOISE.find((n) => l.deployment === n || l.pod?.startsWith(`${n}-`));
  if (source) truth.noise.set(source, new Set([...(truth.noise.get(source) ?? []), fp]));
  else truth.cause.add(fp);
}
