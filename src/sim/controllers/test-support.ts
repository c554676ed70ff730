/**
 * Test helpers for the controller models: nodes, workloads, and a stand-in for the kubelet
 * (pods bound, Running and Ready) for tests that must not depend on the physics models.
 */
import { isoTime } from "../../core/clock.ts";
import type { SimCluster } from "../cluster.ts";
import type { KubeObject } from "../store/types.ts";

export function node(name: string, extra: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name } },
    spec: {},
    status: {
      capacity: { cpu: "4", memory: "16Gi", pods: "110" },
      allocatable: { cpu: "4", memory: "16Gi", pods: "110" },
      conditions: [{ type: "Ready", status: "True" }],
    },
    ...extra,
  };
}

export function deployment(
  name: string,
  replicas: number,
  image = "nginx:1.25",
  spec: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default" },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: "app", image, ports: [{ name: "http", containerPort: 8080 }] }],
        },
      },
      ...spec,
    },
  };
}

let ipSeq = 1;
/** Mark a pod scheduled, Running and (optionally) Ready, as the kubelet model would. */
export function runPod(
  cluster: SimCluster,
  pod: KubeObject,
  ready = true,
  nodeName = "node-1",
): void {
  const now = isoTime(cluster.clock.now());
  cluster.store.mutate("pods", pod.metadata.namespace, pod.metadata.name as string, (p) => {
    p.spec.nodeName ??= nodeName;
    p.status = {
      ...p.status,
      phase: "Running",
      podIP: p.status?.podIP ?? `10.244.0.${ipSeq++ % 250}`,
      conditions: [
        { type: "PodScheduled", status: "True", lastTransitionTime: now },
        { type: "Ready", status: ready ? "True" : "False", lastTransitionTime: now },
      ],
    };
  });
}

/** Run every pending pod that matches `filter`; returns how many were started. */
export function runPending(
  cluster: SimCluster,
  filter: (p: KubeObject) => boolean = () => true,
  ready = true,
): number {
  let n = 0;
  for (const p of cluster.store.list("pods")) {
    if (p.status?.phase === "Running" || p.metadata.deletionTimestamp || !filter(p)) continue;
    runPod(cluster, p, ready);
    n++;
  }
  return n;
}

/** Step one second at a time, starting pending pods as they appear. */
export function stepWithKubelet(
  cluster: SimCluster,
  seconds: number,
  filter?: (p: KubeObject) => boolean,
): void {
  for (let i = 0; i < seconds; i++) {
    cluster.step(1000);
    runPending(cluster, filter);
  }
}

export function eventsFor(cluster: SimCluster, name: string): string[] {
  return cluster.store
    .list("events")
    .filter((e) => (e.involvedObject as { name: string }).name === name)
    .map((e) => `${e.reason}: ${e.message}`);
}
