/** `get_cluster_overview`: the few numbers an on-call engineer looks at first, in one small answer. */
import type {
  KubeConfig,
  V1DaemonSet,
  V1Deployment,
  V1Node,
  V1Pod,
  V1StatefulSet,
} from "@kubernetes/client-node";
import { z } from "zod";
import { kubeGet } from "./cluster-kube.ts";
import type { ToolContext } from "./context.ts";

const Health = z.object({ total: z.number(), healthy: z.number(), degraded: z.array(z.string()) });

export const OverviewSchema = z.object({
  nodes: z.object({
    total: z.number(),
    ready: z.number(),
    items: z.array(
      z.object({
        name: z.string(),
        ready: z.boolean(),
        unschedulable: z.boolean(),
        conditions: z.array(z.string()),
        cpu: z.string().optional(),
        memory: z.string().optional(),
      }),
    ),
  }),
  namespaces: z.object({ total: z.number(), names: z.array(z.string()) }),
  workloads: z.object({ deployments: Health, statefulSets: Health, daemonSets: Health }),
  pods: z.object({
    total: z.number(),
    byPhase: z.record(z.string(), z.number()),
    crashLooping: z.array(z.string()),
    notReady: z.number(),
  }),
  problems: z.number(),
  openIncidents: z.number(),
  truncated: z.boolean(),
  untrusted: z.literal(true),
});
type Overview = z.infer<typeof OverviewSchema>;

const MAX_NAMES = 20;

const items = async <T>(kc: KubeConfig, path: string): Promise<T[]> =>
  ((await kubeGet(kc, path)) as { items?: T[] }).items ?? [];

const ref = (m: { namespace?: string; name?: string } | undefined) => `${m?.namespace}/${m?.name}`;

export async function clusterOverview(ctx: ToolContext, kc: KubeConfig): Promise<Overview> {
  const [nodes, namespaces, deployments, statefulSets, daemonSets, pods] = await Promise.all([
    items<V1Node>(kc, "/api/v1/nodes"),
    items<{ metadata?: { name?: string } }>(kc, "/api/v1/namespaces"),
    items<V1Deployment>(kc, "/apis/apps/v1/deployments"),
    items<V1StatefulSet>(kc, "/apis/apps/v1/statefulsets"),
    items<V1DaemonSet>(kc, "/apis/apps/v1/daemonsets"),
    items<V1Pod>(kc, "/api/v1/pods"),
  ]);
  const nodeItems = nodes.map(nodeSummary);
  const degradedDeploy = deployments
    .filter((d) => (d.status?.availableReplicas ?? 0) < (d.spec?.replicas ?? 1))
    .map((d) => ref(d.metadata));
  const degradedSts = statefulSets
    .filter((s) => (s.status?.readyReplicas ?? 0) < (s.spec?.replicas ?? 1))
    .map((s) => ref(s.metadata));
  const degradedDs = daemonSets
    .filter((d) => (d.status?.numberReady ?? 0) < (d.status?.desiredNumberScheduled ?? 0))
    .map((d) => ref(d.metadata));
  const byPhase: Record<string, number> = {};
  for (const p of pods) {
    const phase = p.status?.phase ?? "Unknown";
    byPhase[phase] = (byPhase[phase] ?? 0) + 1;
  }
  const crashLooping = pods
    .filter((p) =>
      (p.status?.containerStatuses ?? []).some(
        (c) => c.state?.waiting?.reason === "CrashLoopBackOff",
      ),
    )
    .map((p) => ref(p.metadata));
  const notReady = pods.filter(
    (p) =>
      p.status?.phase === "Running" &&
      !(p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
  ).length;
  const cut = <T>(xs: T[]) => xs.slice(0, MAX_NAMES);
  const health = (total: number, degraded: string[]) => ({
    total,
    healthy: total - degraded.length,
    degraded: cut(degraded),
  });
  const truncated =
    nodeItems.length > MAX_NAMES ||
    namespaces.length > MAX_NAMES * 5 ||
    [degradedDeploy, degradedSts, degradedDs, crashLooping].some((l) => l.length > MAX_NAMES);
  return {
    nodes: {
      total: nodes.length,
      ready: nodeItems.filter((n) => n.ready).length,
      items: cut(nodeItems),
    },
    namespaces: {
      total: namespaces.length,
      names: namespaces.slice(0, MAX_NAMES * 5).map((n) => n.metadata?.name ?? ""),
    },
    workloads: {
      deployments: health(deployments.length, degradedDeploy),
      statefulSets: health(statefulSets.length, degradedSts),
      daemonSets: health(daemonSets.length, degradedDs),
    },
    pods: { total: pods.length, byPhase, crashLooping: cut(crashLooping), notReady },
    problems: ctx.findings().filter((f) => f.kind === "problem").length,
    openIncidents: ctx.incidents.list().filter((i) => i.status !== "resolved").length,
    truncated,
    untrusted: true,
  };
}

function nodeSummary(n: V1Node) {
  const conds = n.status?.conditions ?? [];
  return {
    name: n.metadata?.name ?? "",
    ready: conds.some((c) => c.type === "Ready" && c.status === "True"),
    unschedulable: n.spec?.unschedulable === true,
    // Only the conditions that are "bad" when True (pressure, network), plus a non-True Ready.
    conditions: conds
      .filter((c) => (c.type === "Ready" ? c.status !== "True" : c.status === "True"))
      .map((c) => `${c.type}=${c.status}`),
    cpu: n.status?.allocatable?.cpu,
    memory: n.status?.allocatable?.memory,
  };
}
