/**
 * Traffic surges on a Deployment without an HPA (with one, prescale.ts raises the HPA's floor
 * instead): the workload's predictive scaling plan (plan-workload.ts) says when its forecast
 * load needs more replicas than it has; an episode of rising windows (prescaleEpisodes) that
 * opens within the lead time becomes a `TrafficSurge` prediction on the workload, with the
 * episode's start as its ETA. The `traffic-scale-out` runbook triggers on it, so the agent
 * scales out before the peak instead of after the latency has climbed. The runtime's forecast
 * path (prescale-forecaster.ts) calls it for Deployments that opt in by annotation.
 *
 * The scale-out records, on the Deployment, the replicas before it and when it may be undone
 * (the episode's end, carried in `fix.patch`, plus a cool-down). `TrafficSurgeEnded` says that
 * time has passed while the Deployment still runs more replicas than recorded and the forecast
 * would not call a surge at the recorded count: the `traffic-scale-in` runbook then puts the
 * recorded count back, so a surge does not leave the workload doubled (and billed) for good.
 */
import type { V1Deployment } from "@kubernetes/client-node";
import { isoTime } from "../core/clock.ts";
import { stableId } from "../core/ids.ts";
import type { Finding, ObjectRef } from "../core/types.ts";
import type { WorkloadPlan } from "./plan-workload.ts";
import { prescaleEpisodes } from "./prescale.ts";

export const TRAFFIC_SURGE = "TrafficSurge";
export const TRAFFIC_SURGE_ENDED = "TrafficSurgeEnded";
export const SURGE_SOURCE = "forecast/scaling-plan";
/** On the Deployment while a scale-out holds: when it may be undone, the count before, the count set. */
export const SURGE_UNTIL = "opsloop.dev/surge-until";
export const SURGE_BASELINE = "opsloop.dev/surge-baseline";
export const SURGE_REPLICAS = "opsloop.dev/surge-replicas";

export interface SurgeOptions {
  /** Episodes opening further ahead than this are not announced yet (default 1 h). */
  leadMs?: number;
  /** Replicas running now (default: the history's); a scale-out ahead of the peak raises it. */
  currentReplicas?: number;
  /**
   * How many times the current replicas an episode must need to be a surge (default 1.5): the
   * plan sizes for the forecast's upper bound with headroom, so a floor a replica or two above
   * the current count is the ordinary daily cycle, which the reactive autoscaler handles.
   */
  minRatio?: number;
}

const hhmm = (t: number) => isoTime(t).slice(11, 16);

/** One TrafficSurge prediction per surge episode that opens within the lead time of `now`. */
export function surgePredictions(
  ref: ObjectRef,
  wp: WorkloadPlan,
  now: number,
  o: SurgeOptions = {},
): Finding[] {
  const lead = o.leadMs ?? 3_600_000;
  const current = o.currentReplicas ?? wp.traffic.replicas;
  const min = current * (o.minRatio ?? 1.5);
  return prescaleEpisodes(wp.plan)
    .filter((w) => w.end > now && w.start <= now + lead && w.replicas >= min)
    .map(
      (w): Finding => ({
        id: stableId(`${TRAFFIC_SURGE}/${ref.kind}/${ref.namespace ?? ""}/${ref.name}/${w.start}`),
        kind: "prediction",
        severity: w.capped ? "critical" : "warning",
        subject: ref,
        affected: [ref],
        reason: TRAFFIC_SURGE,
        rootCause: `${ref.name}'s forecast load peaks at ${Math.round(w.peakRps)} req/s between ${hhmm(w.start)} and ${hhmm(w.end)} UTC: ${current} replicas serve about ${Math.round(current * wp.capacityPerReplica)} req/s, ${w.replicas} are needed`,
        evidence: [
          {
            type: "samples",
            text: `model ${wp.model}, ${Math.round(wp.capacityPerReplica)} req/s per replica at 100% CPU`,
            data: { window: w },
          },
        ],
        fix: {
          description: `scale ${ref.name} to ${w.replicas} replicas before ${hhmm(w.start)} UTC`,
          command: `kubectl scale deployment/${ref.name} -n ${ref.namespace ?? "default"} --replicas=${w.replicas}`,
          // What the scale-out records: the episode's end (it adds its cool-down).
          patch: { metadata: { annotations: { [SURGE_UNTIL]: isoTime(w.end) } } },
        },
        confidence: w.capped ? 0.7 : 0.8,
        source: SURGE_SOURCE,
        time: now,
        eta: w.start,
      }),
    );
}

/**
 * `TrafficSurgeEnded` for a Deployment a scale-out left above its recorded count, once the
 * recorded time has passed and the forecast (when planned) calls no surge at that count.
 */
export function surgeEnded(
  d: V1Deployment,
  wp: WorkloadPlan | undefined,
  now: number,
  o: SurgeOptions = {},
): Finding | undefined {
  const a = d.metadata?.annotations ?? {};
  const until = a[SURGE_UNTIL] ? Date.parse(a[SURGE_UNTIL]) : Number.NaN;
  const baseline = Number(a[SURGE_BASELINE]);
  const replicas = d.spec?.replicas ?? 1;
  if (!(until <= now) || !Number.isInteger(baseline) || replicas <= baseline) return undefined;
  const ref: ObjectRef = {
    kind: "Deployment",
    name: d.metadata?.name ?? "",
    ...(d.metadata?.namespace ? { namespace: d.metadata.namespace } : {}),
  };
  if (wp && surgePredictions(ref, wp, now, { ...o, currentReplicas: baseline }).length)
    return undefined;
  return {
    id: stableId(`${TRAFFIC_SURGE_ENDED}/${ref.namespace ?? ""}/${ref.name}/${until}`),
    kind: "prediction",
    severity: "info",
    subject: ref,
    affected: [ref],
    reason: TRAFFIC_SURGE_ENDED,
    rootCause: `the forecast surge ${ref.name} was scaled out for is over (${SURGE_UNTIL} ${hhmm(until)} UTC) and the forecast needs no more than the ${baseline} replicas it had before: ${replicas} run`,
    evidence: [
      { type: "object", text: `${SURGE_UNTIL}=${isoTime(until)}, ${SURGE_BASELINE}=${baseline}` },
    ],
    fix: {
      description: `scale ${ref.name} back to ${baseline} replicas`,
      command: `kubectl scale deployment/${ref.name} -n ${ref.namespace ?? "default"} --replicas=${baseline}`,
    },
    confidence: 1,
    source: SURGE_SOURCE,
    time: now,
    eta: until,
  };
}
