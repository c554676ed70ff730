/**
 * Test helpers for the controller models: nodes, workloads, and ways to drive the physics
 * models (scheduler, kubelet) that make pods Running and Ready.
 */
import { POD_BEHAVIOUR_ANNOTATION } from "../behaviour.ts";
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

/** Advance simulated time; the scheduler and kubelet models bind, start and ready the pods. */
export function advance(cluster: SimCluster, seconds: number): void {
  cluster.step(seconds * 1000);
}

/** Live (not terminating) pods, optionally in one namespace. */
export function livePods(cluster: SimCluster, namespace?: string): KubeObject[] {
  return cluster.store.list("pods", { namespace }).filter((p) => !p.metadata.deletionTimestamp);
}

/** Give a running pod a behaviour (read by the kubelet model), e.g. failing probes from now on. */
export function setBehaviour(
  cluster: SimCluster,
  pod: KubeObject,
  behaviour: Record<string, unknown>,
): void {
  cluster.store.mutate("pods", pod.metadata.namespace, pod.metadata.name as string, (p) => {
    p.metadata.annotations = {
      ...p.metadata.annotations,
      [POD_BEHAVIOUR_ANNOTATION]: JSON.stringify(behaviour),
    };
  });
}

/** A readiness probe that fails fast, so a failing endpoint turns the pod NotReady within seconds. */
export const FAST_READINESS = {
  httpGet: { path: "/ready", port: 8080 },
  periodSeconds: 1,
  failureThreshold: 1,
};

export function eventsFor(cluster: SimCluster, name: string): string[] {
  return cluster.store
    .list("events")
    .filter((e) => (e.involvedObject as { name: string }).name === name)
    .map((e) => `${e.reason}: ${e.message}`);
}
