/**
 * What a simulated container or node *does*, beyond what its spec says. Written as a YAML or
 * JSON annotation on a pod template (`sim.opsloop.dev/behaviour`) or a node
 * (`sim.opsloop.dev/node`). The kubelet model reads it for exits, memory and probes; the
 * telemetry model reads it for metrics. Scenarios change behaviour over time by patching the
 * annotation, exactly as a user would change a real deployment.
 */
import { parse as parseYaml } from "yaml";
import { z } from "zod";

export const POD_BEHAVIOUR_ANNOTATION = "sim.opsloop.dev/behaviour";
export const NODE_BEHAVIOUR_ANNOTATION = "sim.opsloop.dev/node";

export const PodBehaviour = z
  .object({
    /** Container working-set memory: base plus linear growth since the container started. */
    memory: z
      .object({
        baseMi: z.number().nonnegative().default(64),
        leakMiPerMinute: z.number().nonnegative().default(0),
      })
      .strict()
      .default({ baseMi: 64, leakMiPerMinute: 0 }),
    cpu: z
      .object({
        baseMilli: z.number().nonnegative().default(20),
        /** Extra CPU per request per second served by this pod. */
        perRequestMilli: z.number().nonnegative().default(1),
      })
      .strict()
      .default({ baseMilli: 20, perRequestMilli: 1 }),
    /** Requests per second arriving at the whole workload, split evenly over ready pods. */
    traffic: z
      .object({
        rps: z.number().nonnegative().default(0),
        /** Share of rps added at the daily peak and removed at the trough (0..1). */
        dailyAmplitude: z.number().min(0).max(1).default(0),
        peakHourUtc: z.number().min(0).max(23).default(14),
        /** Multiplier on Saturdays and Sundays. */
        weekendFactor: z.number().nonnegative().default(1),
        /** Extra weekly surge: multiplier for a window each week, e.g. Monday 09:00 for 2h at 2.5x. */
        weeklySurge: z
          .object({
            day: z.number().int().min(0).max(6),
            hourUtc: z.number().min(0).max(23),
            hours: z.number().positive(),
            factor: z.number().positive(),
          })
          .strict()
          .optional(),
        /** Relative noise (standard deviation as a share of the rate). */
        noise: z.number().nonnegative().default(0.03),
      })
      .strict()
      .default({ rps: 0, dailyAmplitude: 0, peakHourUtc: 14, weekendFactor: 1, noise: 0.03 }),
    latency: z
      .object({
        p50Ms: z.number().nonnegative().default(20),
        p99Ms: z.number().nonnegative().default(80),
        /** Requests a pod can serve per second before latency grows (queueing). */
        capacityRps: z.number().positive().optional(),
      })
      .strict()
      .default({ p50Ms: 20, p99Ms: 80 }),
    /** Share of requests that fail (HTTP 5xx) on their own. */
    errorRate: z.number().min(0).max(1).default(0),
    /** Services this workload calls, by Service name in its namespace; their latency and errors add to ours. */
    dependsOn: z.array(z.string()).default([]),
    /** Client timeout for calls to dependencies; a slower dependency turns into errors. */
    timeoutMs: z.number().positive().default(1000),
    /** The container process exits after this long (a crash), with this code and last log lines. */
    crash: z
      .object({
        afterSeconds: z.number().nonnegative().default(0),
        exitCode: z.number().int().default(1),
        log: z.array(z.string()).default([]),
      })
      .strict()
      .optional(),
    /** Lines logged at start, then a line every `everySeconds`. */
    logs: z
      .object({
        start: z.array(z.string()).default([]),
        every: z.array(z.string()).default([]),
        everySeconds: z.number().positive().default(30),
      })
      .strict()
      .optional(),
    /** The readiness/liveness endpoints start failing after this long. */
    probesFailAfterSeconds: z.number().nonnegative().optional(),
  })
  .strict();
export type PodBehaviour = z.infer<typeof PodBehaviour>;

export const NodeBehaviour = z
  .object({
    /** The node's root filesystem (kubelet's nodefs). */
    disk: z
      .object({
        capacityGi: z.number().positive().default(100),
        usedGi: z.number().nonnegative().default(30),
        fillGiPerHour: z.number().default(0),
      })
      .strict()
      .default({ capacityGi: 100, usedGi: 30, fillGiPerHour: 0 }),
    /** Hardware health signals that drift before a failure. */
    hardware: z
      .object({
        diskLatencyMs: z.number().nonnegative().default(2),
        diskLatencyDriftMsPerHour: z.number().default(0),
        eccErrorsPerHour: z.number().nonnegative().default(0),
        eccErrorsGrowthPerHour: z.number().default(0),
        temperatureC: z.number().default(45),
        temperatureDriftCPerHour: z.number().default(0),
        /** The node stops reporting (NotReady) this long after the behaviour was set. */
        failAfterHours: z.number().positive().optional(),
      })
      .strict()
      .default({
        diskLatencyMs: 2,
        diskLatencyDriftMsPerHour: 0,
        eccErrorsPerHour: 0,
        eccErrorsGrowthPerHour: 0,
        temperatureC: 45,
        temperatureDriftCPerHour: 0,
      }),
    /** Free IP addresses in the node's subnet; 0 makes sandbox creation fail (CNI IPAM). */
    subnetFreeIPs: z.number().int().nonnegative().optional(),
    /** Simulated time (ms since epoch) the behaviour took effect; set by the simulator. */
    since: z.number().optional(),
  })
  .strict();
export type NodeBehaviour = z.infer<typeof NodeBehaviour>;

const podCache = new Map<string, PodBehaviour>();

/** Reads the behaviour annotation; an absent annotation means a quiet, healthy container. */
export function podBehaviour(annotations: Record<string, string> | undefined): PodBehaviour {
  const raw = annotations?.[POD_BEHAVIOUR_ANNOTATION] ?? "{}";
  const hit = podCache.get(raw);
  if (hit) return hit;
  const parsed = PodBehaviour.parse(parseYaml(raw) ?? {});
  if (podCache.size > 1000) podCache.clear();
  podCache.set(raw, parsed);
  return parsed;
}

export function nodeBehaviour(annotations: Record<string, string> | undefined): NodeBehaviour {
  const raw = annotations?.[NODE_BEHAVIOUR_ANNOTATION] ?? "{}";
  return NodeBehaviour.parse(parseYaml(raw) ?? {});
}

/** Workload request rate at time t (ms), before noise: seasonality and weekly surge. */
export function trafficRate(t: PodBehaviour["traffic"], timeMs: number): number {
  if (t.rps === 0) return 0;
  const d = new Date(timeMs);
  const hour = d.getUTCHours() + d.getUTCMinutes() / 60;
  const daily = 1 + t.dailyAmplitude * Math.cos(((hour - t.peakHourUtc) / 24) * 2 * Math.PI);
  const dow = d.getUTCDay();
  const weekend = dow === 0 || dow === 6 ? t.weekendFactor : 1;
  let surge = 1;
  const s = t.weeklySurge;
  if (s && dow === s.day && hour >= s.hourUtc && hour < s.hourUtc + s.hours) surge = s.factor;
  return t.rps * daily * weekend * surge;
}
