/**
 * What the surge bench counts: requests slower than the latency SLO, two ways.
 *
 * - web's own latency: each ready web pod's request rate and its own queueing latency
 *   (src/sim/telemetry/app-model.ts `ownLatency`, log-normal fitted to p50/p99), integrated
 *   over each step: rps × P(latency > SLO) × seconds. This is the tier opsloop pre-scales.
 * - end to end: the simulator's own `http_request_duration_seconds` histogram on web's pods
 *   (what Prometheus would scrape), count − bucket{le="0.5"}; it includes the time web waits on
 *   `api` and the 504s past web's 2 s client timeout.
 *
 * And the check that the history really holds the weekly pattern: Monday 09:00-11:00 traffic over
 * the same hours on Tuesday, for each week of the backfill.
 */
import type { WorkloadTraffic } from "../../src/forecast/workload-traffic.ts";
import type { SimCluster } from "../../src/sim/cluster.ts";
import type { KubeObject } from "../../src/sim/store/types.ts";
import { isPodReady, latencyCdf, ownLatency } from "../../src/sim/telemetry/app-model.ts";
import { DURATION_BUCKETS } from "../../src/sim/telemetry/telemetry.ts";
import { behaviourOf, podRequestRate } from "../../src/sim/telemetry/usage.ts";

/** The SLO: a request served in more than 500 ms is a bad request (a histogram bucket bound). */
export const SLO_SECONDS = 0.5;
const SLO_BUCKET = DURATION_BUCKETS.indexOf(SLO_SECONDS);

export function appPods(cluster: SimCluster, app: string): KubeObject[] {
  return cluster.store
    .list("pods", { namespace: "shop" })
    .filter((p) => p.metadata.labels?.app === app && !p.metadata.deletionTimestamp);
}

/** Requests over the SLO in the next `seconds`, from web's own latency at the current state. */
export function ownOverSlo(cluster: SimCluster, seconds: number): number {
  const ready = appPods(cluster, "web").filter(isPodReady);
  const now = cluster.clock.now();
  let over = 0;
  for (const pod of ready) {
    const rps = podRequestRate(pod, now, ready.length);
    const l = ownLatency(behaviourOf(pod).latency, rps);
    over += rps * (1 - latencyCdf(l.p50Ms, l.p99Ms, SLO_SECONDS * 1000)) * seconds;
  }
  return over;
}

/** Cumulative end-to-end counters of every web pod seen so far (the telemetry keeps them). */
export class EndToEnd {
  private readonly uids = new Set<string>();
  private readonly cluster: SimCluster;
  constructor(cluster: SimCluster) {
    this.cluster = cluster;
  }

  observe(): void {
    for (const p of appPods(this.cluster, "web")) this.uids.add(p.metadata.uid as string);
  }

  totals(): { requests: number; overSlo: number } {
    let requests = 0;
    let overSlo = 0;
    for (const uid of this.uids) {
      const r = this.cluster.telemetry.requests.get(uid);
      if (!r) continue;
      requests += r.count;
      overSlo += r.count - (r.buckets[SLO_BUCKET] ?? 0);
    }
    return { requests, overSlo };
  }
}

/** Monday 09-11 UTC mean rps ÷ Tuesday 09-11 UTC, per week of the history. */
export function weeklySurges(t: WorkloadTraffic): number[] {
  const mean = (day: number, from: number) => {
    const vals = t.times
      .map((time, i) => ({ d: new Date(time), v: t.rps[i] as number, time }))
      .filter(
        (x) =>
          x.d.getUTCDay() === day &&
          x.d.getUTCHours() >= 9 &&
          x.d.getUTCHours() < 11 &&
          x.time >= from &&
          x.time < from + 7 * 86_400_000,
      )
      .map((x) => x.v);
    return vals.length === 2 ? (vals[0] as number) / 2 + (vals[1] as number) / 2 : Number.NaN;
  };
  const first = t.times[0] as number;
  const out: number[] = [];
  for (let from = first; from < (t.times[t.times.length - 1] as number); from += 7 * 86_400_000) {
    const ratio = mean(1, from) / mean(2, from);
    if (Number.isFinite(ratio)) out.push(ratio);
  }
  return out;
}
