/**
 * Pre-scaling an HPA from its workload's plan, as findings the `prescale-min-replicas` runbooks
 * act on. Contiguous windows whose floors rise make one episode (its floor is their highest):
 * the HPA floor is raised once per episode, at its buffered start, and put back once after its
 * end, so a surge is one raise and one restore, not a staircase of runs the agent would take for
 * a fix that does not hold. A falling floor ends the episode; the next one is raised only if the
 * HPA then has fewer replicas than it needs.
 *
 * - `SurgePredicted` (subject: the HPA): an episode has started (its start already includes the
 *   scheduling buffer) and its floor is above both the HPA's minReplicas and the replicas it has.
 *   `fix.patch` is the merge patch the raise applies: the floor and the episode's end.
 * - `SurgeWindowEnded` (subject: the HPA): the HPA carries opsloop's prescale annotations and
 *   the end they record has passed. Only then is the floor lowered, back to the baseline the
 *   raise recorded; replicas are never set, so the HPA scales in on measured load alone (never
 *   on a forecast).
 */
import type { V2HorizontalPodAutoscaler } from "@kubernetes/client-node";
import { isoTime } from "../core/clock.ts";
import { stableId } from "../core/ids.ts";
import type { Finding, ObjectRef } from "../core/types.ts";
import type { WorkloadPlan } from "./plan-workload.ts";
import type { ScalingPlan } from "./scaling-plan.ts";

export const SURGE_PREDICTED = "SurgePredicted";
export const SURGE_WINDOW_ENDED = "SurgeWindowEnded";
/** On the HPA while a raise holds: when the episode ends, the floor before it, the floor set. */
export const PRESCALE_UNTIL = "opsloop.dev/prescale-until";
export const PRESCALE_BASELINE = "opsloop.dev/prescale-baseline";
export const PRESCALE_FLOOR = "opsloop.dev/prescale-floor";
export const PRESCALE_SOURCE = "forecast/prescale";

export interface Episode {
  /** When the floor is raised (the load's start minus the scheduling buffer). */
  start: number;
  end: number;
  replicas: number;
  peakRps: number;
  capped: boolean;
}

/** The plan's windows, contiguous rising ones merged (the floor of an episode is its highest). */
export function prescaleEpisodes(plan: ScalingPlan): Episode[] {
  const out: Episode[] = [];
  for (const w of plan.windows) {
    const last = out[out.length - 1];
    if (last && w.start <= last.end && w.replicas >= last.replicas) {
      last.end = Math.max(last.end, w.end);
      last.replicas = Math.max(last.replicas, w.replicas);
      last.peakRps = Math.max(last.peakRps, w.peakRps);
      last.capped ||= w.capped;
    } else out.push({ ...w });
  }
  return out;
}

/** The HPA floor changes the runbooks make for a plan: raise at each episode, restore after. */
export function episodeSchedule(
  plan: ScalingPlan,
  baseline: number,
): { at: number; minReplicas: number }[] {
  return prescaleEpisodes(plan).flatMap((e) => [
    { at: e.start, minReplicas: e.replicas },
    { at: e.end, minReplicas: baseline },
  ]);
}

const hhmm = (t: number) => isoTime(t).slice(11, 16);

function hpaRef(h: V2HorizontalPodAutoscaler): ObjectRef {
  return {
    kind: "HorizontalPodAutoscaler",
    name: h.metadata?.name ?? "",
    ...(h.metadata?.namespace ? { namespace: h.metadata.namespace } : {}),
  };
}

/** `namespace/name` of the Deployment an HPA scales, the key plans are kept under. */
export function hpaTargetKey(h: V2HorizontalPodAutoscaler): string | undefined {
  const ref = h.spec?.scaleTargetRef;
  return ref?.kind === "Deployment" ? `${h.metadata?.namespace}/${ref.name}` : undefined;
}

function windowEnded(h: V2HorizontalPodAutoscaler, until: number, now: number): Finding {
  const ref = hpaRef(h);
  const baseline = Number(h.metadata?.annotations?.[PRESCALE_BASELINE] ?? h.spec?.minReplicas);
  return {
    id: stableId(`${SURGE_WINDOW_ENDED}/${ref.namespace}/${ref.name}/${until}`),
    kind: "prediction",
    severity: "info",
    subject: ref,
    affected: [],
    reason: SURGE_WINDOW_ENDED,
    rootCause: `the forecast surge window of HPA ${ref.name} ended at ${hhmm(until)} UTC: its minReplicas goes back to ${baseline}, and the HPA scales in on measured load`,
    evidence: [{ type: "object", text: `${PRESCALE_UNTIL}=${isoTime(until)}` }],
    fix: { description: `set minReplicas of HPA ${ref.name} back to ${baseline}` },
    confidence: 1,
    source: PRESCALE_SOURCE,
    time: now,
    eta: until,
  };
}

function surgePredicted(
  h: V2HorizontalPodAutoscaler,
  wp: WorkloadPlan,
  e: Episode,
  bufferMs: number,
  now: number,
): Finding {
  const ref = hpaRef(h);
  const load = e.start + bufferMs;
  const current = h.status?.currentReplicas ?? h.spec?.minReplicas ?? 1;
  return {
    id: stableId(`${SURGE_PREDICTED}/${ref.namespace}/${ref.name}/${e.start}`),
    kind: "prediction",
    severity: e.capped ? "critical" : "warning",
    subject: ref,
    affected: [{ kind: "Deployment", name: h.spec?.scaleTargetRef.name ?? "", ...ns(ref) }],
    reason: SURGE_PREDICTED,
    rootCause: `the forecast load of ${h.spec?.scaleTargetRef.name} peaks at ${Math.round(e.peakRps)} req/s between ${hhmm(load)} and ${hhmm(e.end)} UTC: ${current} replicas serve about ${Math.round(current * wp.capacityPerReplica)} req/s at full CPU, ${e.replicas} are needed${e.capped ? " (capped at the HPA's maxReplicas)" : ""}`,
    evidence: [
      {
        type: "samples",
        text: `model ${wp.model}, ${Math.round(wp.capacityPerReplica)} req/s per replica at 100% CPU`,
        data: { episode: e },
      },
    ],
    fix: {
      description: `raise minReplicas of HPA ${ref.name} to ${e.replicas} until ${hhmm(e.end)} UTC`,
      patch: {
        metadata: { annotations: { [PRESCALE_UNTIL]: isoTime(e.end) } },
        spec: { minReplicas: e.replicas },
      },
    },
    confidence: e.capped ? 0.7 : 0.8,
    source: PRESCALE_SOURCE,
    time: now,
    eta: load,
  };
}

const ns = (r: ObjectRef) => (r.namespace ? { namespace: r.namespace } : {});

/** The findings for these HPAs now, from their targets' plans (keyed by `hpaTargetKey`). */
export function prescaleFindings(
  hpas: readonly V2HorizontalPodAutoscaler[],
  plans: ReadonlyMap<string, WorkloadPlan>,
  now: number,
  bufferMs = 300_000,
): Finding[] {
  const out: Finding[] = [];
  for (const h of hpas) {
    const untilText = h.metadata?.annotations?.[PRESCALE_UNTIL];
    const until = untilText ? Date.parse(untilText) : Number.NaN;
    if (until <= now) {
      out.push(windowEnded(h, until, now));
      continue;
    }
    const key = hpaTargetKey(h);
    const wp = key ? plans.get(key) : undefined;
    if (!wp) continue;
    const cap = h.spec?.maxReplicas ?? Number.POSITIVE_INFINITY;
    const e = prescaleEpisodes(wp.plan)
      .map((x) => ({
        ...x,
        capped: x.capped || x.replicas > cap,
        replicas: Math.min(x.replicas, cap),
      }))
      .find((x) => x.start <= now && now < x.end);
    const floor = Math.max(h.spec?.minReplicas ?? 1, h.status?.currentReplicas ?? 0);
    if (e && e.replicas > floor) out.push(surgePredicted(h, wp, e, bufferMs, now));
  }
  return out;
}
