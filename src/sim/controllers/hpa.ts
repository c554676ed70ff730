/**
 * HorizontalPodAutoscaler autoscaling/v2 (pkg/controller/podautoscaler/horizontal.go): every
 * 15 s, Resource metrics from the usage model against requests, a 300 s scale-down
 * stabilization window, the default scale-up limit (double or +4 per period), min/max clamping,
 * and the real conditions and events. Scales the target through spec.replicas.
 */
import { isoTime } from "../../core/clock.ts";
import { matchesSelector } from "../../core/label-selector.ts";
import type { Controller, SimContext } from "../engine.ts";
import type { KubeObject } from "../store/types.ts";
import { type Recommendation, rateLimit, type ScaleEvent, stabilize } from "./hpa-behavior.ts";
import { resourceReplicas } from "./hpa-metrics.ts";
import { type Json, setCondition, writeStatus } from "./util.ts";

const COMPONENT = { component: "horizontal-pod-autoscaler" };
const PERIOD_MS = 15_000;
const TARGETS: Record<string, string> = {
  Deployment: "deployments.apps",
  StatefulSet: "statefulsets.apps",
  ReplicaSet: "replicasets.apps",
};

function metricLabel(m: Json): string {
  const name = m.resource?.name ?? "cpu";
  return m.resource?.target?.type === "AverageValue"
    ? `${name} resource`
    : `${name} resource utilization (percentage of request)`;
}

export class HorizontalPodAutoscalerController implements Controller {
  readonly name = "horizontal-pod-autoscaler";
  private readonly ctx: SimContext;
  private readonly lastRun = new Map<string, number>();
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly scaleEvents = new Map<string, ScaleEvent[]>();
  constructor(ctx: SimContext) {
    this.ctx = ctx;
  }

  tick(now: number): void {
    for (const hpa of this.ctx.store.list("horizontalpodautoscalers.autoscaling")) {
      const uid = hpa.metadata.uid as string;
      const last = this.lastRun.get(uid);
      if (
        last !== undefined &&
        now - last < PERIOD_MS &&
        hpa.status?.observedGeneration === hpa.metadata.generation
      )
        continue;
      this.lastRun.set(uid, now);
      this.sync(hpa, now);
    }
  }

  private sync(hpa: KubeObject, now: number): void {
    const { store, events } = this.ctx;
    const nowIso = isoTime(now);
    const ref = hpa.spec.scaleTargetRef ?? {};
    const resource = TARGETS[ref.kind];
    const target = resource ? store.get(resource, hpa.metadata.namespace, ref.name) : undefined;
    let conds = hpa.status?.conditions ?? [];
    const status: Json = { ...hpa.status, observedGeneration: hpa.metadata.generation };
    if (!target) {
      const msg = `${resource ?? ref.kind} "${ref.name}" not found`;
      events.record(hpa, "Warning", "FailedGetScale", msg, COMPONENT);
      conds = setCondition(
        conds,
        {
          type: "AbleToScale",
          status: "False",
          reason: "FailedGetScale",
          message: `the HPA controller was unable to get the target's current scale: ${msg}`,
        },
        nowIso,
      );
      writeStatus(this.ctx, "horizontalpodautoscalers.autoscaling", hpa, {
        ...status,
        conditions: conds,
      });
      return;
    }
    const current = target.spec?.replicas ?? 1;
    const min = hpa.spec.minReplicas ?? 1;
    const max = hpa.spec.maxReplicas;
    status.currentReplicas = current;
    conds = setCondition(
      conds,
      {
        type: "AbleToScale",
        status: "True",
        reason: "SucceededGetScale",
        message: "the HPA controller was able to get the target's current scale",
      },
      nowIso,
    );
    if (current === 0 && min !== 0) {
      conds = setCondition(
        conds,
        {
          type: "ScalingActive",
          status: "False",
          reason: "ScalingDisabled",
          message: "scaling is disabled since the replica count of the target is zero",
        },
        nowIso,
      );
      writeStatus(this.ctx, "horizontalpodautoscalers.autoscaling", hpa, {
        ...status,
        desiredReplicas: current,
        conditions: conds,
      });
      return;
    }
    const pods = store
      .list("pods", { namespace: hpa.metadata.namespace })
      .filter(
        (p) =>
          matchesSelector(target.spec.selector, p.metadata.labels) &&
          !p.metadata.deletionTimestamp &&
          p.status?.phase !== "Failed" &&
          p.status?.phase !== "Succeeded",
      );
    const metrics: Json[] = hpa.spec.metrics ?? [
      {
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } },
      },
    ];
    let proposal = 0;
    let reason = "";
    const currentMetrics: Json[] = [];
    for (const m of metrics.filter((x) => x.type === "Resource")) {
      try {
        const r = resourceReplicas(m, pods, current, now);
        currentMetrics.push({
          type: "Resource",
          resource: {
            name: m.resource.name,
            current: {
              ...(r.utilization !== undefined ? { averageUtilization: r.utilization } : {}),
              averageValue:
                m.resource.name === "cpu"
                  ? `${Math.round(r.averageValue)}m`
                  : String(Math.round(r.averageValue)),
            },
          },
        });
        if (r.replicas > proposal) {
          proposal = r.replicas;
          reason = metricLabel(m);
        }
      } catch (e) {
        const err = `failed to get ${m.resource?.name ?? "cpu"} utilization: ${(e as Error).message}`;
        events.record(hpa, "Warning", "FailedGetResourceMetric", err, COMPONENT);
        events.record(
          hpa,
          "Warning",
          "FailedComputeMetricsReplicas",
          `invalid metrics (1 invalid out of ${metrics.length}), first error is: failed to get ${m.resource?.name ?? "cpu"} resource metric value: ${err}`,
          COMPONENT,
        );
        conds = setCondition(
          conds,
          {
            type: "ScalingActive",
            status: "False",
            reason: "FailedGetResourceMetric",
            message: `the HPA was unable to compute the replica count: ${err}`,
          },
          nowIso,
        );
        writeStatus(this.ctx, "horizontalpodautoscalers.autoscaling", hpa, {
          ...status,
          desiredReplicas: current,
          currentMetrics: null,
          conditions: conds,
        });
        return;
      }
    }
    conds = setCondition(
      conds,
      {
        type: "ScalingActive",
        status: "True",
        reason: "ValidMetricFound",
        message: `the HPA was able to successfully calculate a replica count from ${reason}`,
      },
      nowIso,
    );
    const desired = this.normalize(hpa, current, proposal, min, max, now);
    conds = setCondition(conds, desired.limit, nowIso);
    if (desired.replicas !== current) {
      store.mutate(
        resource as string,
        target.metadata.namespace,
        target.metadata.name as string,
        (d) => {
          d.spec.replicas = desired.replicas;
        },
      );
      this.scaleEvents
        .get(hpa.metadata.uid as string)
        ?.push({ at: now, delta: desired.replicas - current });
      const why =
        desired.replicas > current ? `${reason} above target` : "All metrics below target";
      events.record(
        hpa,
        "Normal",
        "SuccessfulRescale",
        `New size: ${desired.replicas}; reason: ${why}`,
        COMPONENT,
      );
      conds = setCondition(
        conds,
        {
          type: "AbleToScale",
          status: "True",
          reason: "SucceededRescale",
          message: `the HPA controller was able to update the target scale to ${desired.replicas}`,
        },
        nowIso,
      );
      status.lastScaleTime = nowIso;
    } else {
      conds = setCondition(
        conds,
        {
          type: "AbleToScale",
          status: "True",
          reason: "ReadyForNewScale",
          message: "recommended size matches current size",
        },
        nowIso,
      );
    }
    writeStatus(this.ctx, "horizontalpodautoscalers.autoscaling", hpa, {
      ...status,
      desiredReplicas: desired.replicas,
      currentMetrics,
      conditions: conds,
    });
  }

  /** Stabilization (highest recommendation in the scale-down window), rate limits, then min/max. */
  private normalize(
    hpa: KubeObject,
    current: number,
    proposal: number,
    min: number,
    max: number,
    now: number,
  ) {
    const uid = hpa.metadata.uid as string;
    const behavior = hpa.spec.behavior;
    // The first sight of an HPA seeds the window with the current size, as the real controller does.
    const recs = (this.recommendations.get(uid) ?? [{ at: now, replicas: current }]).filter(
      (r) => now - r.at <= 3_600_000,
    );
    const stable = stabilize(behavior, recs, current, proposal, now);
    recs.push({ at: now, replicas: proposal });
    this.recommendations.set(uid, recs);
    const events = (this.scaleEvents.get(uid) ?? []).filter((e) => now - e.at <= 3_600_000);
    this.scaleEvents.set(uid, events);
    const rate = rateLimit(behavior, events, current, stable, now);
    const desired = rate.replicas;
    const up = stable > current;
    if (rate.limited && desired <= max && desired >= min)
      return {
        replicas: desired,
        limit: {
          type: "ScalingLimited",
          status: "True",
          reason: up ? "ScaleUpLimit" : "ScaleDownLimit",
          message: `the desired replica count is ${up ? "increasing" : "decreasing"} faster than the maximum scale rate`,
        },
      };
    if (desired > max)
      return {
        replicas: max,
        limit: {
          type: "ScalingLimited",
          status: "True",
          reason: "TooManyReplicas",
          message: "the desired replica count is more than the maximum replica count",
        },
      };
    if (desired < min)
      return {
        replicas: min,
        limit: {
          type: "ScalingLimited",
          status: "True",
          reason: "TooFewReplicas",
          message: "the desired replica count is less than the minimum replica count",
        },
      };
    return {
      replicas: desired,
      limit: {
        type: "ScalingLimited",
        status: "False",
        reason: "DesiredWithinRange",
        message: "the desired count is within the acceptable range",
      },
    };
  }
}
