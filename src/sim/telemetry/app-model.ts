/**
 * Application RED model: each serving pod's request rate, latency and error mix, including what
 * its dependencies do to it. A slow dependency adds its latency to ours, and the share of its
 * calls slower than our client timeout become 504s (the latency cascade); a dependency Service
 * with no ready endpoints makes every call fail (503). Latency is log-normal, fitted to p50/p99.
 */
import type { PodBehaviour } from "../behaviour.ts";
import type { KubeObject } from "../store/types.ts";
import { behaviourOf, podRequestRate } from "./usage.ts";

export interface RequestProfile {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** HTTP status code → share of requests (non-2xx only; the rest are 200). */
  errors: Record<string, number>;
}

interface ServiceProfile {
  noEndpoints: boolean;
  p50Ms: number;
  p99Ms: number;
  errorShare: number;
}

const Z99 = 2.3263478740408408;
const MAX_DEPTH = 6;

export function isPodReady(pod: KubeObject): boolean {
  const conds = (pod.status?.conditions ?? []) as Array<{ type: string; status: string }>;
  return conds.some((c) => c.type === "Ready" && c.status === "True");
}

/** The owning workload of a pod: a Deployment's pods share a key across ReplicaSets. */
export function workloadKey(pod: KubeObject): string {
  const owner = pod.metadata.ownerReferences?.[0];
  const hash = pod.metadata.labels?.["pod-template-hash"];
  let name = owner?.name ?? (pod.metadata.name as string);
  if (owner?.kind === "ReplicaSet" && hash && name.endsWith(`-${hash}`)) {
    name = name.slice(0, -hash.length - 1);
  }
  return `${pod.metadata.namespace}/${name}`;
}

export class AppModel {
  private readonly readyByWorkload = new Map<string, number>();
  private readonly services = new Map<string, KubeObject>();
  private readonly readyPods: KubeObject[];
  private readonly memo = new Map<string, ServiceProfile>();
  private readonly now: number;

  constructor(pods: KubeObject[], services: KubeObject[], now: number) {
    this.now = now;
    this.readyPods = pods.filter(isPodReady);
    for (const p of this.readyPods) {
      const k = workloadKey(p);
      this.readyByWorkload.set(k, (this.readyByWorkload.get(k) ?? 0) + 1);
    }
    for (const s of services) this.services.set(`${s.metadata.namespace}/${s.metadata.name}`, s);
  }

  /** The pod's own profile; `noise` is an N(0,1) sample applied to its request rate. */
  profile(pod: KubeObject, noise = 0, depth = 0): RequestProfile {
    if (!isPodReady(pod)) return { rps: 0, p50Ms: 0, p99Ms: 0, errors: {} };
    const b = behaviourOf(pod);
    const rps = podRequestRate(
      pod,
      this.now,
      this.readyByWorkload.get(workloadKey(pod)) ?? 1,
      noise,
    );
    const own = ownLatency(b.latency, rps);
    let p50 = own.p50Ms;
    let p99 = own.p99Ms;
    const errors: Record<string, number> = {};
    let ok = 1;
    const fail = (code: string, share: number) => {
      errors[code] = (errors[code] ?? 0) + ok * share;
      ok *= 1 - share;
    };
    if (b.errorRate > 0) fail("500", b.errorRate);
    for (const dep of b.dependsOn) {
      const s = this.service(pod.metadata.namespace as string, dep, depth + 1);
      if (s.noEndpoints) {
        fail("503", 1);
        continue;
      }
      fail("504", tailShare(s.p50Ms, s.p99Ms, b.timeoutMs));
      if (s.errorShare > 0) fail("502", s.errorShare);
      p50 += Math.min(s.p50Ms, b.timeoutMs);
      p99 += Math.min(s.p99Ms, b.timeoutMs);
    }
    return { rps, p50Ms: p50, p99Ms: p99, errors };
  }

  private service(ns: string, name: string, depth: number): ServiceProfile {
    const key = `${ns}/${name}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    const svc = this.services.get(key);
    const selector = (svc?.spec?.selector ?? undefined) as Record<string, string> | undefined;
    const pods = selector
      ? this.readyPods.filter((p) => p.metadata.namespace === ns && matches(selector, p))
      : [];
    let result: ServiceProfile = { noEndpoints: true, p50Ms: 0, p99Ms: 0, errorShare: 0 };
    if (pods.length > 0 && depth <= MAX_DEPTH) {
      const profiles = pods.map((p) => this.profile(p, 0, depth));
      const avg = (f: (r: RequestProfile) => number) =>
        profiles.reduce((a, r) => a + f(r), 0) / profiles.length;
      result = {
        noEndpoints: false,
        p50Ms: avg((r) => r.p50Ms),
        p99Ms: avg((r) => r.p99Ms),
        errorShare: avg((r) => Object.values(r.errors).reduce((a, v) => a + v, 0)),
      };
    }
    this.memo.set(key, result);
    return result;
  }
}

/**
 * A pod's own serving latency at `rps` (its dependencies' time not included): latency grows
 * steeply as utilisation nears 1 (M/M/1-like 1/(1-rho), capped).
 */
export function ownLatency(
  latency: PodBehaviour["latency"],
  rps: number,
): { p50Ms: number; p99Ms: number } {
  const cap = latency.capacityRps;
  const rho = cap ? Math.min(0.98, rps / cap) : 0;
  const q = rho > 0.5 ? Math.min(50, 0.5 / (1 - rho)) : 1;
  return { p50Ms: latency.p50Ms * q, p99Ms: latency.p99Ms * q };
}

function matches(selector: Record<string, string>, pod: KubeObject): boolean {
  const labels = pod.metadata.labels ?? {};
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** P(latency > t) for a log-normal with the given median and 99th percentile. */
export function tailShare(p50: number, p99: number, t: number): number {
  return 1 - latencyCdf(p50, p99, t);
}

/** P(latency ≤ t) for a log-normal with the given median and 99th percentile. */
export function latencyCdf(p50: number, p99: number, t: number): number {
  if (t <= 0) return 0;
  if (p50 <= 0) return 1;
  const sigma = Math.max(1e-6, Math.log(Math.max(p99, p50 * 1.0001) / p50) / Z99);
  return normalCdf((Math.log(t) - Math.log(p50)) / sigma);
}

function normalCdf(z: number): number {
  return 0.5 * (1 + erf(z / Math.SQRT2));
}

// Abramowitz and Stegun 7.1.26 (|error| < 1.5e-7): enough for synthetic telemetry.
function erf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496735) * t + 0.254829592) *
      t *
      Math.exp(-a * a);
  return s * y;
}
