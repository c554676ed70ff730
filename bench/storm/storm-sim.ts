/**
 * A simulated alert storm with a known cause. A cluster of three zones runs many small
 * Deployments; node-a-1's hardware fails (the simulator's node behaviour), so the node goes
 * NotReady and every pod on it goes NotReady — or, with `cause: "database"`, every Deployment
 * calls a `db` whose readiness starts failing, so its Service has no endpoints and every
 * caller's pods answer 503 (HighErrorRate from the simulator's request counters). Eight
 * unrelated faults run at the same time in five namespaces, on tainted nodes of their own
 * (NOISE_WORKLOADS, a failing Job, a node with a full disk). Alerts are evaluated from the
 * cluster state every 30 s the way the kube-prometheus rules read kube-state-metrics,
 * node-exporter and up{}, and sent as Alertmanager webhook payloads (one per alertname group,
 * repeated while firing, as Alertmanager does).
 */

import { stableId } from "../../src/core/ids.ts";
import { type Topology, topologyFromSnapshot } from "../../src/incidents/topology.ts";
import { NODE_BEHAVIOUR_ANNOTATION, POD_BEHAVIOUR_ANNOTATION } from "../../src/sim/behaviour.ts";
import { DEFAULT_START, openRegistry, SimCluster } from "../../src/sim/cluster.ts";
import { isJobFinished } from "../../src/sim/controllers/job.ts";
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

interface Workload {
  name: string;
  namespace?: string;
  kind?: "Deployment" | "StatefulSet";
  replicas: number;
  behaviour?: Record<string, unknown>;
  /** Pinned to this node (the noise nodes are tainted; their workloads tolerate it). */
  node?: string;
  image?: string;
  /** An env var from a ConfigMap that does not exist. */
  missingConfig?: boolean;
  probe?: boolean;
  memoryLimit?: string;
}

function workload(w: Workload): string {
  const ns = w.namespace ?? "shop";
  const b = JSON.stringify({ traffic: { rps: 10 }, ...w.behaviour });
  const probe = w.probe ? "readinessProbe: { httpGet: { path: /healthz, port: 8080 } }" : "";
  const pin = w.node
    ? `nodeSelector: { kubernetes.io/hostname: ${w.node} }
      tolerations: [{ key: noise, operator: Exists, effect: NoSchedule }]`
    : "";
  const limit = w.memoryLimit ? `, limits: { memory: ${w.memoryLimit} }` : "";
  return `
apiVersion: apps/v1
kind: ${w.kind ?? "Deployment"}
metadata: { name: ${w.name}, namespace: ${ns}, labels: { app: ${w.name} } }
spec:
  replicas: ${w.replicas}
  ${w.kind === "StatefulSet" ? `serviceName: ${w.name}` : ""}
  selector: { matchLabels: { app: ${w.name} } }
  template:
    metadata:
      labels: { app: ${w.name} }
      annotations: { sim.opsloop.dev/behaviour: '${b}' }
    spec:
      ${pin}
      containers:
        - name: ${w.name}
          image: ${w.image ?? "ghcr.io/acme/app:1.0.0"}
          ${w.missingConfig ? "env: [{ name: CFG, valueFrom: { configMapKeyRef: { name: missing, key: k } } }]" : ""}
          resources: { requests: { cpu: 10m, memory: 32Mi }${limit} }
          ${probe}
---
apiVersion: v1
kind: Service
metadata: { name: ${w.name}, namespace: ${ns} }
spec: { selector: { app: ${w.name} }, ports: [{ port: 80 }] }
`;
}

/**
 * Unrelated faults, each its own incident: several namespaces, workload kinds and nodes. They
 * run on nodes of their own (tainted `noise`), so the cause's node never hosts them.
 */
const NOISE_WORKLOADS: Workload[] = [
  {
    name: "batch",
    replicas: 2,
    node: "node-b-2",
    behaviour: { crash: { afterSeconds: 5, exitCode: 1, log: ["panic: nil map"] } },
  },
  { name: "reports", replicas: 2, node: "node-c-2", missingConfig: true },
  // A tag the registry does not have: ErrImagePull, then ImagePullBackOff.
  {
    name: "ledger",
    namespace: "payments",
    replicas: 2,
    node: "node-b-2",
    image: "ghcr.io/acme/ledger:2.1.0",
  },
  // Its working set is over its limit: OOMKilled, then CrashLoopBackOff.
  {
    name: "etl",
    namespace: "analytics",
    replicas: 3,
    node: "node-a-2",
    memoryLimit: "128Mi",
    behaviour: { memory: { baseMi: 400 } },
  },
  // A StatefulSet whose readiness probe fails: running but never ready.
  {
    name: "kafka",
    namespace: "data",
    kind: "StatefulSet",
    replicas: 3,
    node: "node-a-2",
    probe: true,
    behaviour: { probesFailAfterSeconds: 0 },
  },
  // Another team's service that answers errors on its own (no dependency on the cause).
  {
    name: "search",
    namespace: "frontend",
    replicas: 3,
    node: "node-c-2",
    behaviour: { traffic: { rps: 20 }, errorRate: 0.3 },
  },
];

/** A Job that fails (exit 1, no retries): KubeJobFailed. */
const FAILING_JOB = `
apiVersion: batch/v1
kind: Job
metadata: { name: nightly-backup, namespace: ops }
spec:
  backoffLimit: 0
  template:
    metadata: { annotations: { sim.opsloop.dev/behaviour: '{"crash":{"afterSeconds":5,"exitCode":1}}' } }
    spec:
      restartPolicy: Never
      nodeSelector: { kubernetes.io/hostname: node-b-2 }
      tolerations: [{ key: noise, operator: Exists, effect: NoSchedule }]
      containers: [{ name: backup, image: ghcr.io/acme/backup:1.0.0 }]
`;

/** The node whose root filesystem is nearly full (no pods: it fails alone). */
const FULL_NODE = "node-c-3";

/** Extra nodes in each zone for the noise, tainted so only the noise workloads land there. */
function noiseNodes(template: KubeObject[]): KubeObject[] {
  const out: KubeObject[] = [];
  for (const [name, zoneOf] of [
    ["node-a-2", "node-a-1"],
    ["node-b-2", "node-b-1"],
    ["node-c-2", "node-c-1"],
    [FULL_NODE, "node-c-1"],
  ] as const) {
    const base = template.find((n) => n.metadata.name === zoneOf) as KubeObject;
    const n = structuredClone(base);
    n.metadata.name = name;
    n.metadata.labels = { ...n.metadata.labels, "kubernetes.io/hostname": name };
    n.spec = { ...n.spec, taints: [{ key: "noise", value: "true", effect: "NoSchedule" }] };
    if (name === FULL_NODE)
      n.metadata.annotations = {
        ...n.metadata.annotations,
        [NODE_BEHAVIOUR_ANNOTATION]: JSON.stringify({ disk: { capacityGi: 100, usedGi: 95 } }),
      };
    out.push(n);
  }
  return out;
}

function buildCluster(o: Required<StormOptions>): SimCluster {
  const scenario = loadScenario("latency-cascade");
  const cluster = new SimCluster({
    seed: o.seed,
    start: DEFAULT_START,
    tickMs: 1000,
    images: openRegistry({ repositories: { "ghcr.io/acme/ledger": ["2.0.0"] } }),
  });
  const nodes = (scenario.objects as KubeObject[]).filter((x) => x.kind === "Node");
  let yaml = "apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n";
  for (const ns of ["payments", "analytics", "data", "frontend", "ops"])
    yaml += `---\napiVersion: v1\nkind: Namespace\nmetadata: { name: ${ns} }\n`;
  const db = o.cause === "database";
  for (let i = 0; i < o.deployments; i++)
    yaml += `---${workload({ name: `svc-${i}`, replicas: o.replicas, behaviour: db ? { dependsOn: ["db"] } : {} })}`;
  if (db) yaml += `---${workload({ name: "db", replicas: 2, probe: true })}`;
  for (const w of NOISE_WORKLOADS) yaml += `---${workload(w)}`;
  yaml += `---${FAILING_JOB}`;
  cluster.apply([...nodes, ...noiseNodes(nodes), ...parseManifests(yaml)]);
  return cluster;
}

function ready(o: KubeObject): boolean {
  const conds = (o.status?.conditions ?? []) as { type: string; status: string }[];
  return conds.some((c) => c.type === "Ready" && c.status === "True");
}

/** Alert rules over the store, like kube-prometheus over kube-state-metrics, node-exporter and up{}. */
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
    const disk = diskOf(n);
    if (disk && disk.usedGi / disk.capacityGi > 0.9)
      fire(
        { alertname: "NodeFilesystemAlmostFull", node: name, mountpoint: "/" },
        `Filesystem on ${name} has less than 10% space left.`,
      );
  }
  for (const p of cluster.store.list("pods")) {
    const l = { namespace: p.metadata.namespace as string, pod: p.metadata.name as string };
    if (p.status?.phase === "Failed" || p.status?.phase === "Succeeded") continue;
    const statuses = (p.status?.containerStatuses ?? []) as {
      restartCount?: number;
      state?: { waiting?: { reason?: string }; running?: unknown };
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
    // Running but not ready (a failing readiness probe), or on the node that stopped reporting.
    const running = statuses[0]?.state?.running !== undefined;
    if (!ready(p) && (p.spec?.nodeName === failed || running)) {
      fire({ alertname: "KubePodNotReady", ...l }, `Pod ${l.pod} has been in a non-ready state.`);
      fire({ alertname: "TargetDown", job: "app", ...l }, `Target ${l.pod} is down.`);
    }
  }
  for (const [resource, label] of [
    ["deployments.apps", "deployment"],
    ["statefulsets.apps", "statefulset"],
  ] as const)
    for (const d of cluster.store.list(resource)) {
      const want = (d.spec?.replicas as number) ?? 1;
      const have = label === "deployment" ? d.status?.availableReplicas : d.status?.readyReplicas;
      if (((have as number | undefined) ?? 0) >= want) continue;
      const kind = label === "deployment" ? "Deployment" : "StatefulSet";
      fire(
        {
          alertname: `Kube${kind}ReplicasMismatch`,
          namespace: d.metadata.namespace as string,
          [label]: d.metadata.name as string,
        },
        `${kind} ${d.metadata.name} has not matched the expected number of replicas.`,
      );
    }
  for (const j of cluster.store.list("jobs.batch"))
    if (isJobFinished(j) === "Failed")
      fire(
        {
          alertname: "KubeJobFailed",
          namespace: j.metadata.namespace as string,
          job_name: j.metadata.name as string,
        },
        `Job ${j.metadata.name} failed to complete.`,
      );
  return out;
}

function diskOf(n: KubeObject): { usedGi: number; capacityGi: number } | undefined {
  const raw = n.metadata.annotations?.[NODE_BEHAVIOUR_ANNOTATION];
  return raw
    ? (JSON.parse(raw) as { disk?: { usedGi: number; capacityGi: number } }).disk
    : undefined;
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

/** The unrelated fault an alert belongs to (namespace/workload or node), if any. */
function noiseSource(l: Record<string, string>): string | undefined {
  if (l.node === FULL_NODE) return FULL_NODE;
  const ns = l.namespace ?? "";
  if (l.job_name === "nightly-backup" || l.pod?.startsWith("nightly-backup-"))
    return "ops/nightly-backup";
  const w = NOISE_WORKLOADS.find(
    (n) =>
      ns === (n.namespace ?? "shop") &&
      (l.deployment === n.name || l.statefulset === n.name || l.pod?.startsWith(`${n.name}-`)),
  );
  return w && `${w.namespace ?? "shop"}/${w.name}`;
}

function classify(a: Alert, truth: Storm["truth"]): void {
  const fp = a.fingerprint as string;
  const source = noiseSource(a.labels);
  if (source) truth.noise.set(source, new Set([...(truth.noise.get(source) ?? []), fp]));
  else truth.cause.add(fp);
}
