/**
 * Stateful guards computed from the request's history: rate limits (no remediation loops, as
 * Shoreline's circuit breakers and kured's lock delay) and blast radius (NHC maxUnhealthy,
 * NVSentinel's percentage circuit breaker). Missing history or a missing blast radius denies.
 */

import { parseDuration } from "../../core/clock.ts";
import type { ObjectRef } from "../../core/types.ts";
import type { GuardrailRequest, RecentAction } from "./policy.ts";
import { type BlastRadiusLimit, coversAction, type RateLimit } from "./schema.ts";

const HOUR = 3_600_000;

export const sameTarget = (a: ObjectRef, b: ObjectRef) =>
  a.kind === b.kind && (a.namespace ?? "") === (b.namespace ?? "") && a.name === b.name;

function within(recent: RecentAction[], now: number, windowMs: number): RecentAction[] {
  const since = now - windowMs;
  return recent.filter((r) => r.time > since && r.time <= now);
}

export function rateLimitReasons(limit: RateLimit, req: GuardrailRequest): string[] {
  if (!coversAction(limit.actions, req.action)) return [];
  if (req.now === undefined || req.recent === undefined)
    return [`${limit.name}: the history of earlier actions is unknown`];
  const inWindow = within(req.recent, req.now, parseDuration(limit.window)).filter((r) =>
    coversAction(limit.actions, r.action),
  );
  const reasons: string[] = [];
  if (limit.maxPerTarget !== undefined) {
    const used = inWindow.filter(
      (r) => r.action === req.action && sameTarget(r.target, req.target),
    ).length;
    if (used >= limit.maxPerTarget)
      reasons.push(
        `${limit.name}: ${used} ${req.action} actions on this target within ${limit.window} (limit ${limit.maxPerTarget})`,
      );
  }
  if (limit.maxTotal !== undefined && inWindow.length >= limit.maxTotal)
    reasons.push(
      `${limit.name}: ${inWindow.length} actions within ${limit.window} (limit ${limit.maxTotal})`,
    );
  return reasons;
}

const podsOf = (r: RecentAction) => r.pods ?? (r.target.kind === "Pod" ? 1 : 0);
const nodesOf = (r: RecentAction) => r.nodes ?? (r.target.kind === "Node" ? 1 : 0);

function over(name: string, what: string, value: number, max: number | undefined): string[] {
  return max !== undefined && value > max ? [`${name}: ${what} ${value} exceeds ${max}`] : [];
}

export function blastRadiusReasons(limit: BlastRadiusLimit, req: GuardrailRequest): string[] {
  if (!coversAction(limit.actions, req.action)) return [];
  const b = req.blast;
  if (!b) return [`${limit.name}: the blast radius of ${req.action} is unknown`];
  const reasons = [
    ...over(limit.name, "pods affected", b.pods, limit.maxPodsPerAction),
    ...over(limit.name, "nodes affected", b.nodes, limit.maxNodesPerAction),
  ];
  if (limit.maxWorkloadUnavailable !== undefined && b.pods > 0) {
    if (b.workloadUnavailableRatio === undefined)
      reasons.push(`${limit.name}: the share of the workload made unavailable is unknown`);
    else
      reasons.push(
        ...over(
          limit.name,
          "workload share unavailable",
          b.workloadUnavailableRatio,
          limit.maxWorkloadUnavailable,
        ),
      );
  }
  if (limit.maxPoolUnavailable !== undefined && b.nodes > 0) {
    if (b.poolUnavailableRatio === undefined)
      reasons.push(`${limit.name}: the share of the node pool made unavailable is unknown`);
    else
      reasons.push(
        ...over(
          limit.name,
          "node pool share unavailable",
          b.poolUnavailableRatio,
          limit.maxPoolUnavailable,
        ),
      );
  }
  if (limit.maxPodsPerHour === undefined && limit.maxNodesPerHour === undefined) return reasons;
  if (req.now === undefined || req.recent === undefined)
    return [...reasons, `${limit.name}: the history of earlier actions is unknown`];
  const hour = within(req.recent, req.now, HOUR).filter((r) =>
    coversAction(limit.actions, r.action),
  );
  const pods = hour.reduce((s, r) => s + podsOf(r), b.pods);
  const nodes = hour.reduce((s, r) => s + nodesOf(r), b.nodes);
  return [
    ...reasons,
    ...over(limit.name, "pods affected within 1h", pods, limit.maxPodsPerHour),
    ...over(limit.name, "nodes affected within 1h", nodes, limit.maxNodesPerHour),
  ];
}
