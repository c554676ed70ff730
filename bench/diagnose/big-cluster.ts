/**
 * A large simulated cluster for the diagnosis benchmark: `namespaces` × `perNamespace`
 * Deployments of `replicas` pods each (5,000 pods by default) on enough nodes, with a Service and
 * a PDB per Deployment. One Deployment in ten carries a fault, rotating through kinds the
 * analyzers know: a missing ConfigMap, a crash loop, a failing readiness probe, a Service whose
 * selector has a typo, an HPA over a container without a cpu request, a PDB with maxUnavailable 0.
 * Returns the objects and the number of faults planted.
 */
import type { KubeObject } from "../../src/sim/store/types.ts";

export interface BigClusterOptions {
  namespaces: number;
  perNamespace: number;
  replicas: number;
}

const FAULTS = ["config", "crash", "probe", "selector", "hpa", "pdb"] as const;
type Fault = (typeof FAULTS)[number];

function node(i: number): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: `node-${i}`,
      labels: {
        "kubernetes.io/hostname": `node-${i}`,
        "topology.kubernetes.io/zone": `eu-west-1${"abc"[i % 3]}`,
      },
    },
    status: { capacity: { cpu: "64", memory: "256Gi", pods: "250" } },
  };
}

/** Healthy Deployments with an HPA (every "-3"): they must give no finding. */
function isAutoscaled(name: string, fault?: Fault): boolean {
  return fault === "hpa" || (name.endsWith("-3") && !fault);
}

function deployment(ns: string, name: string, replicas: number, fault?: Fault): KubeObject {
  const autoscaled = isAutoscaled(name, fault);
  const labels = { app: name };
  const behaviour =
    fault === "crash"
      ? {
          crash: {
            afterSeconds: 5,
            exitCode: 1,
            log: ["panic: runtime error: invalid memory address"],
          },
        }
      : fault === "probe"
        ? { probesFailAfterSeconds: 10 }
        : autoscaled
          ? { cpu: { baseMilli: 8 } } // 40% of the 20m request: the HPA holds steady
          : undefined;
  const container: Record<string, unknown> = {
    name: "app",
    image: "ghcr.io/acme/app:1.0",
    ports: [{ containerPort: 8080, name: "http" }],
    resources: {
      requests: fault === "hpa" ? { memory: "64Mi" } : { cpu: "20m", memory: "64Mi" },
      limits: { memory: "256Mi" },
    },
    ...(fault === "probe"
      ? { readinessProbe: { httpGet: { path: "/ready", port: "http" }, periodSeconds: 5 } }
      : {}),
    ...(fault === "config"
      ? {
          env: [
            {
              name: "DB_URL",
              valueFrom: { configMapKeyRef: { name: `${name}-config`, key: "DB_URL" } },
            },
          ],
        }
      : {}),
  };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: {
          labels,
          ...(behaviour
            ? { annotations: { "sim.opsloop.dev/behaviour": JSON.stringify(behaviour) } }
            : {}),
        },
        spec: { containers: [container] },
      },
    },
  };
}

function extras(ns: string, name: string, fault?: Fault): KubeObject[] {
  const out: KubeObject[] = [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, namespace: ns },
      spec: {
        selector: { app: fault === "selector" ? `${name}-svc` : name },
        ports: [{ name: "http", port: 80, targetPort: "http" }],
      },
    },
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name, namespace: ns },
      spec: {
        ...(fault === "pdb" ? { maxUnavailable: 0 } : { maxUnavailable: 1 }),
        selector: { matchLabels: { app: name } },
      },
    },
  ];
  if (isAutoscaled(name, fault))
    out.push({
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name, namespace: ns },
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
        minReplicas: 1,
        maxReplicas: 20,
        metrics: [
          {
            type: "Resource",
            resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } },
          },
        ],
      },
    });
  return out;
}

export function bigCluster(opts: BigClusterOptions): {
  objects: KubeObject[];
  faults: number;
  pods: number;
} {
  const pods = opts.namespaces * opts.perNamespace * opts.replicas;
  const objects: KubeObject[] = [];
  for (let i = 0; i < Math.ceil(pods / 200) + 2; i++) objects.push(node(i));
  let k = 0;
  let faults = 0;
  for (let n = 0; n < opts.namespaces; n++) {
    const ns = `team-${n}`;
    objects.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    for (let d = 0; d < opts.perNamespace; d++, k++) {
      const fault = k % 10 === 0 ? FAULTS[(k / 10) % FAULTS.length] : undefined;
      if (fault) faults++;
      const name = `svc-${d}`;
      objects.push(deployment(ns, name, opts.replicas, fault), ...extras(ns, name, fault));
    }
  }
  return { objects, faults, pods };
}
