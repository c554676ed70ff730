/**
 * The simulator's telemetry state: counters integrated over simulated time (CPU seconds,
 * requests by code, latency histograms, OOM events, node disk and ECC counters), so scrapes see
 * monotonic counters like a real cAdvisor/node-exporter. It is a `Controller`: it integrates on
 * ticks; `render()` writes the exposition text for the current simulated time.
 */
import { seededRandom } from "../../core/ids.ts";
import type { Controller, SimContext } from "../engine.ts";
import { kubeletAlive, NodeStates } from "../physics/node-state.ts";
import { parseQuantity } from "../quantity.ts";
import type { KubeObject } from "../store/types.ts";
import { AppModel, latencyCdf, type RequestProfile } from "./app-model.ts";
import { renderMetrics } from "./metrics.ts";
import { nodeSignals } from "./node-model.ts";
import { behaviourOf, cpuMillicores } from "./usage.ts";

/** Upper bounds (seconds) of the request-duration histogram (client_golang DefBuckets). */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export interface RequestCounters {
  byCode: Map<string, number>;
  /** Cumulative counts per DURATION_BUCKETS bound. */
  buckets: number[];
  sum: number;
  count: number;
}

export interface NodeCounters {
  ioTimeSeconds: number;
  readTimeSeconds: number;
  reads: number;
  eccErrors: number;
  cpuBusySeconds: number;
  cpuIdleSeconds: number;
}

export class Telemetry implements Controller {
  readonly name = "telemetry";
  readonly ctx: SimContext;
  readonly nodes = new NodeStates();
  /** podUid/container → CPU seconds. */
  readonly cpuSeconds = new Map<string, number>();
  readonly requests = new Map<string, RequestCounters>();
  readonly nodeCounters = new Map<string, NodeCounters>();
  /** podUid/container → OOM events seen, and the restart count last seen. */
  readonly oomEvents = new Map<string, { count: number; restarts: number }>();
  private readonly random: () => number;
  private readonly intervalMs: number;
  private last: number;

  constructor(ctx: SimContext, opts: { seed?: number; intervalMs?: number } = {}) {
    this.ctx = ctx;
    // A stream of its own, so adding telemetry never changes what the physics draws.
    this.random = seededRandom(opts.seed ?? 0x7e1e);
    this.intervalMs = opts.intervalMs ?? 5000;
    this.last = ctx.clock.now();
  }

  tick(now: number): void {
    if (now - this.last < this.intervalMs) return;
    this.integrate(now);
  }

  /** Exposition text (format 0.0.4) at the current simulated time. */
  render(): string {
    const now = this.ctx.clock.now();
    if (now > this.last) this.integrate(now);
    return renderMetrics(this, now);
  }

  /** A standard normal sample (Box-Muller) from the telemetry's own seeded stream. */
  gaussian(): number {
    const u = Math.max(1e-12, this.random());
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.random());
  }

  private integrate(now: number): void {
    const dt = (now - this.last) / 1000;
    this.last = now;
    const pods = this.ctx.store.list("pods");
    const model = new AppModel(pods, this.ctx.store.list("services"), now);
    for (const pod of pods) this.integratePod(pod, model, dt);
    for (const node of this.ctx.store.list("nodes")) this.integrateNode(node, pods, now, dt);
  }

  private integratePod(pod: KubeObject, model: AppModel, dt: number): void {
    const uid = pod.metadata.uid as string;
    const profile = model.profile(pod, this.gaussian());
    for (const c of (pod.spec?.containers ?? []) as Array<{ name: string }>) {
      const key = `${uid}/${c.name}`;
      const milli = cpuMillicores(pod, c.name, profile.rps);
      const jitter = 1 + 0.02 * this.gaussian();
      if (milli > 0 || this.cpuSeconds.has(key)) {
        this.cpuSeconds.set(key, (this.cpuSeconds.get(key) ?? 0) + (milli / 1000) * jitter * dt);
      }
      this.countOom(pod, c.name, key);
    }
    if (profile.rps <= 0) return;
    const r = this.requests.get(uid) ?? emptyRequests();
    this.requests.set(uid, r);
    const total = profile.rps * dt;
    let failed = 0;
    for (const [code, share] of Object.entries(profile.errors)) {
      r.byCode.set(code, (r.byCode.get(code) ?? 0) + total * share);
      failed += share;
    }
    const ok = total * Math.max(0, 1 - failed);
    r.byCode.set("200", (r.byCode.get("200") ?? 0) + ok);
    // Successes follow the log-normal; 504s are observed at the client timeout, others fast.
    const timeouts = total * (profile.errors["504"] ?? 0);
    const fast = total - ok - timeouts;
    const timeoutS = behaviourTimeout(pod);
    DURATION_BUCKETS.forEach((le, i) => {
      const share = latencyCdf(profile.p50Ms, profile.p99Ms, le * 1000);
      const add = ok * share + fast + (timeoutS <= le ? timeouts : 0);
      r.buckets[i] = (r.buckets[i] ?? 0) + add;
    });
    r.sum += durationSum(profile, timeoutS, dt);
    r.count += total;
  }

  private countOom(pod: KubeObject, container: string, key: string): void {
    const statuses = (pod.status?.containerStatuses ?? []) as Array<{
      name: string;
      restartCount?: number;
      lastState?: { terminated?: { reason?: string } };
    }>;
    const s = statuses.find((x) => x.name === container);
    if (!s) return;
    const seen = this.oomEvents.get(key) ?? { count: 0, restarts: 0 };
    const restarts = s.restartCount ?? 0;
    // Several restarts can fall between two integrations; all of them were OOM kills when the
    // last one was (the workload's memory behaviour does not change within a container).
    if (restarts > seen.restarts && s.lastState?.terminated?.reason === "OOMKilled") {
      seen.count += restarts - seen.restarts;
    }
    seen.restarts = restarts;
    this.oomEvents.set(key, seen);
  }

  private integrateNode(node: KubeObject, pods: KubeObject[], now: number, dt: number): void {
    const name = node.metadata.name as string;
    const rt = this.nodes.observe(node, now);
    if (!kubeletAlive(rt, now)) return;
    const sig = nodeSignals(rt.behaviour, rt.since, now);
    const c = this.nodeCounters.get(name) ?? {
      ioTimeSeconds: 0,
      readTimeSeconds: 0,
      reads: 0,
      eccErrors: 0,
      cpuBusySeconds: 0,
      cpuIdleSeconds: 0,
    };
    this.nodeCounters.set(name, c);
    const reads = sig.readsPerSecond * dt;
    c.reads += reads;
    c.readTimeSeconds += reads * (sig.diskLatencyMs / 1000);
    c.ioTimeSeconds += Math.min(1, sig.readsPerSecond * (sig.diskLatencyMs / 1000)) * dt;
    c.eccErrors += (sig.eccErrorsPerHour / 3600) * dt;
    let milli = 150; // system daemons
    for (const p of pods) {
      if (p.spec?.nodeName !== name) continue;
      for (const ct of (p.spec?.containers ?? []) as Array<{ name: string }>) {
        milli += cpuMillicores(p, ct.name, 0);
      }
    }
    const cpus = parseQuantity(
      (node.status?.capacity as Record<string, string> | undefined)?.cpu ?? "4",
    );
    c.cpuBusySeconds += (milli / 1000) * dt;
    c.cpuIdleSeconds += Math.max(0, cpus - milli / 1000) * dt;
  }
}

function emptyRequests(): RequestCounters {
  return { byCode: new Map(), buckets: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 };
}

/**
 * Seconds spent in `dt` seconds of requests: successes at the log-normal's mean (about 1.15 × its
 * median), 504s at the client timeout, other errors fast.
 */
export function durationSum(profile: RequestProfile, timeoutS: number, dt: number): number {
  const total = profile.rps * dt;
  const failed = Object.values(profile.errors).reduce((a, v) => a + v, 0);
  const ok = total * Math.max(0, 1 - failed);
  const timeouts = total * (profile.errors["504"] ?? 0);
  const fast = total - ok - timeouts;
  return ok * (profile.p50Ms / 1000) * 1.15 + timeouts * timeoutS + fast * 0.002;
}

function behaviourTimeout(pod: KubeObject): number {
  return behaviourOf(pod).timeoutMs / 1000;
}
