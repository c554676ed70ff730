/** Nodes and pods for the physics tests. */
import { POD_BEHAVIOUR_ANNOTATION } from "../behaviour.ts";
import type { SimCluster } from "../cluster.ts";
import type { KubeObject } from "../store/types.ts";

export function node(
  name: string,
  opts: {
    cpu?: string;
    memory?: string;
    zone?: string;
    annotations?: Record<string, string>;
    taints?: unknown[];
    labels?: Record<string, string>;
  } = {},
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      labels: {
        "kubernetes.io/hostname": name,
        "topology.kubernetes.io/zone": opts.zone ?? "eu-west-1a",
        ...(opts.labels ?? {}),
      },
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    },
    spec: opts.taints ? { taints: opts.taints } : {},
    status: { capacity: { cpu: opts.cpu ?? "4", memory: opts.memory ?? "8Gi", pods: "110" } },
  };
}

export function pod(
  name: string,
  container: Record<string, unknown> = {},
  spec: Record<string, unknown> = {},
  behaviour?: unknown,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      ...(behaviour
        ? { annotations: { [POD_BEHAVIOUR_ANNOTATION]: JSON.stringify(behaviour) } }
        : {}),
    },
    spec: { containers: [{ name: "app", image: "nginx:1.27", ...container }], ...spec },
  };
}

export function getPod(cluster: SimCluster, name: string): KubeObject {
  return cluster.store.mustGet("pods", "default", name);
}

// biome-ignore lint/suspicious/noExplicitAny: container statuses are JSON.
export function containerStatus(cluster: SimCluster, name: string, container = "app"): any {
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  return getPod(cluster, name).status?.containerStatuses?.find((c: any) => c.name === container);
}

export function eventsFor(
  cluster: SimCluster,
  name: string,
): Array<{ reason: string; message: string; type: string; count: number }> {
  return cluster.store
    .list("events", { namespace: "default" })
    .filter((e) => (e.involvedObject as { name: string }).name === name)
    .map((e) => ({
      reason: e.reason as string,
      message: e.message as string,
      type: e.type as string,
      count: e.count as number,
    }));
}

export function condition(
  obj: KubeObject,
  type: string,
): { status: string; reason?: string; message?: string } | undefined {
  return (obj.status?.conditions ?? []).find((c: { type: string }) => c.type === type);
}
