/**
 * autoscaling/v2 `behavior` (horizontal.go normalizeDesiredReplicasWithBehaviors): stabilization
 * windows for both directions, then the scale-up/scale-down policies (Pods or Percent per
 * period, selectPolicy Max/Min/Disabled) against the scale events of each policy's period,
 * then minReplicas/maxReplicas.
 */
import type { Json } from "./util.ts";

export interface Recommendation {
  at: number;
  replicas: number;
}
export interface ScaleEvent {
  at: number;
  delta: number;
}

const DEFAULT_UP = {
  stabilizationWindowSeconds: 0,
  selectPolicy: "Max",
  policies: [
    { type: "Pods", value: 4, periodSeconds: 15 },
    { type: "Percent", value: 100, periodSeconds: 15 },
  ],
};
const DEFAULT_DOWN = {
  stabilizationWindowSeconds: 300,
  selectPolicy: "Max",
  policies: [{ type: "Percent", value: 100, periodSeconds: 15 }],
};

function rules(behavior: Json, dir: "scaleUp" | "scaleDown") {
  const d = dir === "scaleUp" ? DEFAULT_UP : DEFAULT_DOWN;
  const b = behavior?.[dir] ?? {};
  return {
    window: (b.stabilizationWindowSeconds ?? d.stabilizationWindowSeconds) * 1000,
    select: b.selectPolicy ?? d.selectPolicy,
    policies: (b.policies ?? d.policies) as Array<{
      type: string;
      value: number;
      periodSeconds: number;
    }>,
  };
}

/** stabilizeRecommendationWithBehaviors: up uses the window's minimum, down its maximum. */
export function stabilize(
  behavior: Json,
  recs: Recommendation[],
  current: number,
  proposal: number,
  now: number,
): number {
  const up = rules(behavior, "scaleUp").window;
  const down = rules(behavior, "scaleDown").window;
  let upRec = proposal;
  let downRec = proposal;
  for (const r of recs) {
    if (r.at > now - up) upRec = Math.min(upRec, r.replicas);
    if (r.at > now - down) downRec = Math.max(downRec, r.replicas);
  }
  let out = current;
  if (out < upRec) out = upRec;
  if (out > downRec) out = downRec;
  return out;
}

function changedIn(events: ScaleEvent[], periodMs: number, now: number, sign: 1 | -1): number {
  return events
    .filter((e) => e.at > now - periodMs && Math.sign(e.delta) === sign)
    .reduce((n, e) => n + Math.abs(e.delta), 0);
}

/** calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors. */
export function rateLimit(
  behavior: Json,
  events: ScaleEvent[],
  current: number,
  desired: number,
  now: number,
): { replicas: number; limited: boolean } {
  const dir = desired > current ? "scaleUp" : "scaleDown";
  if (desired === current) return { replicas: current, limited: false };
  const r = rules(behavior, dir);
  if (r.select === "Disabled") return { replicas: current, limited: true };
  const limits = r.policies.map((p) => {
    const ms = p.periodSeconds * 1000;
    if (dir === "scaleUp") {
      const start = current - changedIn(events, ms, now, 1);
      return p.type === "Pods" ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    }
    const start = current + changedIn(events, ms, now, -1);
    return p.type === "Pods" ? start - p.value : Math.ceil(start * (1 - p.value / 100));
  });
  // "Max" allows the biggest change: the highest limit going up, the lowest going down.
  const pickHigh = (dir === "scaleUp") === (r.select !== "Min");
  const limit = pickHigh ? Math.max(...limits) : Math.min(...limits);
  if (dir === "scaleUp" && desired > limit)
    return { replicas: Math.max(current, limit), limited: true };
  if (dir === "scaleDown" && desired < limit)
    return { replicas: Math.min(current, limit), limited: true };
  return { replicas: desired, limited: false };
}
