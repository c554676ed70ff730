/**
 * DaemonSet controller (pkg/controller/daemon): one pod per eligible node (nodeSelector,
 * taints versus the pod's tolerations plus the ones the controller always adds), pinned to its
 * node; failed pods are killed and replaced; RollingUpdate replaces outdated pods maxUnavailable
 * at a time.
 */
import type { Controller, SimContext } from "../engine.ts";
import type { KubeObject } from "../store/types.ts";
import { podFromTemplate } from "./replicaset.ts";
import {
  isControlledBy,
  isPodAvailable,
  isPodReady,
  type Json,
  scaledValue,
  writeStatus,
} from "./util.ts";

const COMPONENT = { component: "daemonset-controller" };
const GENERATION = "pod-template-generation";

/** util.AddOrUpdateDaemonPodTolerations. */
const DAEMON_TOLERATIONS = [
  { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
  { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
  { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
];

function tolerates(tols: Json[], taint: Json): boolean {
  return tols.some(
    (t) =>
      (!t.effect || t.effect === taint.effect) &&
      (t.operator === "Exists"
        ? !t.key || t.key === taint.key
        : t.key === taint.key && (t.value ?? "") === (taint.value ?? "")),
  );
}

export function daemonPodTolerations(template: Json): Json[] {
  const own: Json[] = template?.spec?.tolerations ?? [];
  const extra = DAEMON_TOLERATIONS.filter(
    (d) => !own.some((t) => t.key === d.key && t.effect === d.effect),
  );
  const hostNet = template?.spec?.hostNetwork
    ? [{ key: "node.kubernetes.io/network-unavailable", operator: "Exists", effect: "NoSchedule" }]
    : [];
  return [...own, ...extra, ...hostNet];
}

function eligible(ds: KubeObject, node: KubeObject): boolean {
  const sel: Record<string, string> = ds.spec.template?.spec?.nodeSelector ?? {};
  if (Object.entries(sel).some(([k, v]) => node.metadata.labels?.[k] !== v)) return false;
  const tols = daemonPodTolerations(ds.spec.template);
  return (node.spec?.taints ?? []).every(
    (t: Json) => t.effect === "PreferNoSchedule" || tolerates(tols, t),
  );
}

export class DaemonSetController implements Controller {
  readonly name = "daemonset-controller";
  private readonly ctx: SimContext;
  constructor(ctx: SimContext) {
    this.ctx = ctx;
  }

  tick(now: number): void {
    const nodes = this.ctx.store.list("nodes");
    for (const ds of this.ctx.store.list("daemonsets.apps")) {
      if (!ds.metadata.deletionTimestamp) this.sync(ds, nodes, now);
    }
  }

  private sync(ds: KubeObject, nodes: KubeObject[], now: number): void {
    const { store, events } = this.ctx;
    const ns = ds.metadata.namespace as string;
    const gen = String(ds.metadata.generation ?? 1);
    const pods = store
      .list("pods", { namespace: ns })
      .filter((p) => isControlledBy(p, ds) && !p.metadata.deletionTimestamp);
    const byNode = new Map<string, KubeObject[]>();
    for (const p of pods) {
      const n = this.nodeOf(p);
      byNode.set(n, [...(byNode.get(n) ?? []), p]);
    }
    const wanted = nodes.filter((n) => eligible(ds, n));
    const kill = (p: KubeObject) => {
      store.delete("pods", ns, p.metadata.name as string);
      events.record(ds, "Normal", "SuccessfulDelete", `Deleted pod: ${p.metadata.name}`, COMPONENT);
    };
    for (const node of wanted) {
      const name = node.metadata.name as string;
      const mine = byNode.get(name) ?? [];
      byNode.delete(name);
      for (const p of mine.filter((x) => x.status?.phase === "Failed")) {
        events.record(
          ds,
          "Warning",
          "FailedDaemonPod",
          `Found failed daemon pod ${ns}/${p.metadata.name} on node ${name}, will try to kill it`,
          COMPONENT,
        );
        kill(p);
      }
      const live = mine.filter((x) => x.status?.phase !== "Failed");
      if (live.length === 0) this.create(ds, name, gen);
      for (const extra of live.slice(1)) kill(extra);
    }
    for (const stray of byNode.values()) for (const p of stray) kill(p);
    this.rollingUpdate(ds, wanted, gen, now, kill);
    this.writeStatus(ds, wanted, gen, now);
  }

  private nodeOf(p: KubeObject): string {
    return (
      p.spec?.nodeName ??
      p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
        ?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0] ??
      ""
    );
  }

  private create(ds: KubeObject, node: string, gen: string): void {
    const pod = podFromTemplate(ds, ds.spec.template);
    pod.metadata.labels = { ...pod.metadata.labels, [GENERATION]: gen };
    pod.spec.tolerations = daemonPodTolerations(ds.spec.template);
    // Real daemon pods are placed by the scheduler through this affinity; the nodeName pins them
    // even for a scheduler model that does not evaluate matchFields.
    pod.spec.affinity = {
      ...pod.spec.affinity,
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchFields: [{ key: "metadata.name", operator: "In", values: [node] }] },
          ],
        },
      },
    };
    pod.spec.nodeName = node;
    const created = this.ctx.store.create("pods", pod, { internal: true });
    this.ctx.events.record(
      ds,
      "Normal",
      "SuccessfulCreate",
      `Created pod: ${created.metadata.name}`,
      COMPONENT,
    );
  }

  private rollingUpdate(
    ds: KubeObject,
    nodes: KubeObject[],
    gen: string,
    now: number,
    kill: (p: KubeObject) => void,
  ): void {
    if (ds.spec.updateStrategy?.type === "OnDelete") return;
    const ns = ds.metadata.namespace;
    const pods = this.ctx.store
      .list("pods", { namespace: ns })
      .filter((p) => isControlledBy(p, ds));
    const maxUnavailable = Math.max(
      1,
      scaledValue(ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1, nodes.length, true),
    );
    const unavailable =
      nodes.length -
      pods.filter(
        (p) =>
          !p.metadata.deletionTimestamp && isPodAvailable(p, ds.spec.minReadySeconds ?? 0, now),
      ).length;
    let budget = maxUnavailable - unavailable;
    for (const p of pods) {
      if (budget <= 0) break;
      if (p.metadata.deletionTimestamp || p.metadata.labels?.[GENERATION] === gen) continue;
      kill(p);
      budget--;
    }
  }

  private writeStatus(ds: KubeObject, nodes: KubeObject[], gen: string, now: number): void {
    const pods = this.ctx.store
      .list("pods", { namespace: ds.metadata.namespace })
      .filter((p) => isControlledBy(p, ds) && !p.metadata.deletionTimestamp);
    const names = new Set(nodes.map((n) => n.metadata.name));
    const scheduled = pods.filter((p) => names.has(this.nodeOf(p)));
    const available = scheduled.filter((p) =>
      isPodAvailable(p, ds.spec.minReadySeconds ?? 0, now),
    ).length;
    writeStatus(this.ctx, "daemonsets.apps", ds, {
      currentNumberScheduled: scheduled.length,
      numberMisscheduled: pods.length - scheduled.length,
      desiredNumberScheduled: nodes.length,
      numberReady: scheduled.filter(isPodReady).length,
      observedGeneration: ds.metadata.generation,
      updatedNumberScheduled: scheduled.filter((p) => p.metadata.labels?.[GENERATION] === gen)
        .length,
      numberAvailable: available,
      ...(nodes.length - available > 0 ? { numberUnavailable: nodes.length - available } : {}),
    });
  }
}
