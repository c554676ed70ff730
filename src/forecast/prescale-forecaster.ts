/**
 * The runtime's forecast path for pre-scaling: every `refreshMs` (default 6 h, as AWS
 * re-forecasts) it reads the usage history (`days`, default 28), plans each HPA-scaled
 * Deployment (plan-workload.ts) and keeps the plans; `findings()` then compares them with the
 * HPAs of the current snapshot at every tick (prescale.ts). A Deployment without an HPA is
 * planned only when it opts in with the annotation `opsloop.dev/predictive-scaling: "true"`
 * (planning every Deployment would cost a forecast each on a large cluster): its surges become
 * `TrafficSurge` predictions (surge-predictions.ts) for the traffic-scale-out runbook, and a
 * scale-out's end `TrafficSurgeEnded` for traffic-scale-in (with or without a plan). A
 * workload whose plan cannot be made (too little history) is left out and said so in `skipped()`.
 */
import type { Clock } from "../core/clock.ts";
import type { Finding } from "../core/types.ts";
import type { ClusterSnapshot } from "../sources/kubernetes/snapshot.ts";
import type { History } from "./history/simulated.ts";
import { planWorkload, type WorkloadPlan } from "./plan-workload.ts";
import { hpaTargetKey, prescaleFindings } from "./prescale.ts";
import { SURGE_UNTIL, surgeEnded, surgePredictions } from "./surge-predictions.ts";

/** Opts a Deployment without an HPA into forecast-driven scale-out. */
export const PREDICTIVE_SCALING = "opsloop.dev/predictive-scaling";

/** "namespace/name" of every Deployment an HPA scales. */
function hpaTargets(snap: ClusterSnapshot): Set<string> {
  return new Set(snap.horizontalPodAutoscalers.map(hpaTargetKey).filter((k): k is string => !!k));
}

function optedIn(snap: ClusterSnapshot, hpaKeys: Set<string>): string[] {
  return snap.deployments
    .filter((d) => d.metadata?.annotations?.[PREDICTIVE_SCALING] === "true")
    .map((d) => `${d.metadata?.namespace}/${d.metadata?.name}`)
    .filter((k) => !hpaKeys.has(k));
}

export interface PrescaleForecasterDeps {
  /** Usage history ending now; undefined when the runtime has no history source. */
  history: (days: number) => History | Promise<History> | undefined;
  snapshot: () => ClusterSnapshot;
  clock: Clock;
  refreshMs?: number;
  days?: number;
  /** Scheduling buffer: pods are asked for this long before the forecast load (default 300 s). */
  bufferMs?: number;
  targetUtilization?: number;
  onError?: (e: unknown) => void;
}

export class PrescaleForecaster {
  private readonly deps: PrescaleForecasterDeps;
  private plans = new Map<string, WorkloadPlan>();
  private skippedWhy = new Map<string, string>();
  private refreshedAt = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | undefined;

  constructor(deps: PrescaleForecasterDeps) {
    this.deps = deps;
  }

  /** Plans every HPA-scaled or opted-in Deployment from the history now. */
  async refresh(): Promise<void> {
    const now = this.deps.clock.now();
    const snap = this.deps.snapshot();
    const hpas = snap.horizontalPodAutoscalers;
    const hpaKeys = hpaTargets(snap);
    const keys = [...hpaKeys, ...optedIn(snap, hpaKeys)];
    this.refreshedAt = now;
    if (!keys.length) return;
    const history = await this.deps.history(this.deps.days ?? 28);
    if (!history) return;
    const plans = new Map<string, WorkloadPlan>();
    const skipped = new Map<string, string>();
    for (const key of keys) {
      const [namespace, name] = key.split("/") as [string, string];
      const hpa = hpas.find((h) => hpaTargetKey(h) === key);
      try {
        plans.set(
          key,
          planWorkload(
            history,
            { kind: "Deployment", namespace, name },
            {
              targetUtilization: this.deps.targetUtilization ?? 0.7,
              maxReplicas: hpa?.spec?.maxReplicas,
              bufferMs: this.deps.bufferMs,
              latencyAware: true,
            },
          ),
        );
      } catch (e) {
        skipped.set(key, (e as Error).message);
      }
    }
    this.plans = plans;
    this.skippedWhy = skipped;
  }

  /** Current findings; starts a refresh in the background when the plans are stale. */
  findings(): Finding[] {
    const now = this.deps.clock.now();
    if (!this.refreshing && now - this.refreshedAt >= (this.deps.refreshMs ?? 6 * 3_600_000)) {
      this.refreshing = this.refresh()
        .catch((e: unknown) => this.deps.onError?.(e))
        .finally(() => {
          this.refreshing = undefined;
        });
    }
    const snap = this.deps.snapshot();
    const hpaKeys = hpaTargets(snap);
    return [
      ...prescaleFindings(snap.horizontalPodAutoscalers, this.plans, now, this.deps.bufferMs),
      ...this.surges(snap, hpaKeys, now),
    ];
  }

  /**
   * TrafficSurge predictions for the opted-in Deployments that have no HPA, and TrafficSurgeEnded
   * for any a scale-out left above its recorded count (even one that opted out since).
   */
  private surges(snap: ClusterSnapshot, hpaKeys: Set<string>, now: number): Finding[] {
    const out: Finding[] = [];
    for (const d of snap.deployments) {
      const key = `${d.metadata?.namespace}/${d.metadata?.name}`;
      const plan = this.plans.get(key);
      if (hpaKeys.has(key)) continue;
      const ended = d.metadata?.annotations?.[SURGE_UNTIL] ? surgeEnded(d, plan, now) : undefined;
      if (ended) out.push(ended);
      if (!plan) continue;
      const ref = {
        kind: "Deployment",
        namespace: d.metadata?.namespace,
        name: key.split("/")[1] ?? "",
      };
      out.push(...surgePredictions(ref, plan, now, { currentReplicas: d.spec?.replicas ?? 1 }));
    }
    return out;
  }

  /** Workloads without a plan, with the reason (e.g. too little history). */
  skipped(): ReadonlyMap<string, string> {
    return this.skippedWhy;
  }
}
