/**
 * No false positives: a healthy simulated cluster of 200+ pods — Deployments with probes and
 * Services, StatefulSets with claims and a headless Service, a DaemonSet on every node, finished
 * Jobs, a CronJob, a cordoned node and node conditions other agents write — gives zero findings.
 */
import { describe, expect, it } from "vitest";
import { SimCluster } from "../sim/cluster.ts";
import type { KubeObject } from "../sim/store/types.ts";
import { diagnoseSim } from "./sim-run.ts";

const NODES = 18;
const NAMESPACES = 10;

function node(i: number): KubeObject {
  const zone = `eu-west-1${"abc"[i % 3]}`;
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: `node-${i}`,
      labels: { "kubernetes.io/hostname": `node-${i}`, "topology.kubernetes.io/zone": zone },
    },
    status: { capacity: { cpu: "8", memory: "32Gi", pods: "110" } },
  };
}

const resources = { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } };

function deployment(ns: string, name: string, replicas: number): KubeObject[] {
  const labels = { app: name };
  return [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: ns },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name,
                image: `ghcr.io/acme/${name}:1.0`,
                ports: [{ containerPort: 8080, name: "http" }],
                readinessProbe: { httpGet: { path: "/ready", port: "http" } },
                livenessProbe: { httpGet: { path: "/healthz", port: "http" } },
                resources,
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, namespace: ns },
      spec: { selector: labels, ports: [{ name: "http", port: 80, targetPort: "http" }] },
    },
  ];
}

function statefulSet(ns: string): KubeObject[] {
  const labels = { app: "db" };
  return [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "db", namespace: ns },
      spec: { clusterIP: "None", selector: labels, ports: [{ name: "pg", port: 5432 }] },
    },
    {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "db", namespace: ns },
      spec: {
        serviceName: "db",
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: "db", image: "postgres:16.4", resources }] },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: "data" },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } },
          },
        ],
      },
    },
  ];
}

function jobs(ns: string): KubeObject[] {
  const pod = {
    spec: {
      restartPolicy: "Never",
      containers: [{ name: "task", image: "busybox:1.36", command: ["sh", "-c", "echo done"] }],
    },
  };
  return [
    {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "migrate", namespace: ns },
      spec: { template: pod },
    },
    {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "report", namespace: ns },
      spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: pod } } },
    },
  ];
}

function cluster(): KubeObject[] {
  const objs: KubeObject[] = Array.from({ length: NODES }, (_, i) => node(i));
  objs.push({
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: {
      name: "gp3",
      annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
    },
    provisioner: "ebs.csi.aws.com",
    volumeBindingMode: "WaitForFirstConsumer",
  });
  objs.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: "monitoring" } });
  objs.push({
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "node-exporter", namespace: "monitoring" },
    spec: {
      selector: { matchLabels: { app: "node-exporter" } },
      template: {
        metadata: { labels: { app: "node-exporter" } },
        spec: { containers: [{ name: "exporter", image: "prom/node-exporter:v1.8.2", resources }] },
      },
    },
  });
  for (let i = 0; i < NAMESPACES; i++) {
    const ns = `team-${i}`;
    objs.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    objs.push(
      ...deployment(ns, "web", 11),
      ...deployment(ns, "api", 6),
      ...statefulSet(ns),
      ...jobs(ns),
    );
  }
  return objs;
}

describe("a healthy cluster", () => {
  it("of 200+ pods gives zero findings", async () => {
    const sim = new SimCluster({ tickMs: 2_000 });
    sim.apply(cluster());
    sim.step(12 * 60_000);
    sim.store.mutate("nodes", undefined, "node-0", (n) => {
      n.spec = { ...(n.spec ?? {}), unschedulable: true };
      n.status.conditions = [
        ...(n.status.conditions ?? []),
        { type: "KernelDeadlock", status: "False", reason: "KernelHasNoDeadlock", message: "" },
        { type: "AcceleratedHardwareReady", status: "True", reason: "Healthy", message: "" },
      ];
    });
    const running = sim.store.list("pods").filter((p) => p.status?.phase === "Running");
    expect(running.length).toBeGreaterThanOrEqual(200);
    const { findings } = await diagnoseSim(sim);
    const text = findings.map(
      (f) =>
        `${f.source} ${f.reason} ${f.subject.kind}/${f.subject.namespace}/${f.subject.name}: ${f.rootCause}`,
    );
    expect(text).toEqual([]);
  }, 60_000);
});
