/**
 * Verification after a change: the action's own check (rollout complete, node drained) and the
 * runbook's conditions (CEL over the target object) and metric bounds, polled until all hold or
 * the timeout passes. Argo Rollouts' semantics, simplified: any failure at the deadline fails.
 */
import { type Clock, parseDuration, systemClock } from "../../core/clock.ts";
import type { Finding, ObjectRef } from "../../core/types.ts";
import type { PromClient } from "../../sources/prometheus/api-client.ts";
import type { ActionContext, AnyAction, Check } from "../actions/types.ts";
import { compileCondition } from "../guardrails/cel.ts";
import type { Runbook } from "../runbook.ts";
import { readObject } from "./targets.ts";

/** Instant PromQL value (first series), undefined when there is no data. */
export type MetricsReader = (query: string) => Promise<number | undefined>;

/** A MetricsReader over a Prometheus-compatible query API, evaluated at the server's now. */
export function promMetricsReader(client: PromClient, wall: Clock = systemClock): MetricsReader {
  return async (query) => {
    const r = await client.query(query, wall.now());
    if (r.resultType === "vector") return r.series[0]?.point.v;
    if (r.resultType === "scalar") return (r.value as { v: number }).v;
    return undefined;
  };
}

export function celHolds(
  expr: string,
  vars: Record<string, unknown>,
): { ok: boolean; error?: string } {
  const c = compileCondition(expr);
  if ("error" in c) return { ok: false, error: c.error };
  try {
    return { ok: c.run(vars) === true };
  } catch (e) {
    return { ok: false, error: String((e as Error).message).split("\n")[0] };
  }
}

async function conditionsHold(
  ctx: ActionContext,
  rb: Runbook,
  target: ObjectRef,
  finding: Finding,
  metrics?: MetricsReader,
): Promise<Check> {
  const conds = rb.verification.conditions;
  if (conds.length) {
    const object = await readObject(ctx, target);
    for (const c of conds) {
      const r = celHolds(c.expr, { object, finding });
      if (!r.ok) return { done: false, message: r.error ?? `not yet: ${c.message ?? c.expr}` };
    }
  }
  if (metrics)
    for (const m of rb.verification.metrics) {
      const v = await metrics(m.query);
      if (v === undefined) return { done: false, message: `no data for ${m.query}` };
      if ((m.min !== undefined && v < m.min) || (m.max !== undefined && v > m.max))
        return {
          done: false,
          message: `${m.query} = ${v} is outside [${m.min ?? "-inf"}, ${m.max ?? "inf"}]`,
        };
    }
  return { done: true, message: "conditions hold" };
}

export async function verifyTarget(
  ctx: ActionContext,
  opts: {
    runbook: Runbook;
    action: AnyAction;
    params: unknown;
    target: ObjectRef;
    finding: Finding;
    snapshot: unknown;
    timeoutMs?: number;
    pollMs?: number;
    metrics?: MetricsReader;
  },
): Promise<Check> {
  const timeout = opts.timeoutMs ?? parseDuration(opts.runbook.verification.timeout);
  const poll = opts.pollMs ?? parseDuration(opts.runbook.verification.interval);
  const deadline = ctx.wall.now() + timeout;
  let last: Check = { done: false, message: "not checked" };
  for (;;) {
    last = await opts.action.check(ctx, opts.target, opts.params, opts.snapshot);
    if (last.done)
      last = await conditionsHold(ctx, opts.runbook, opts.target, opts.finding, opts.metrics);
    if (last.done || last.failed) return last;
    if (ctx.wall.now() + poll > deadline)
      return { done: false, message: `not verified after ${timeout} ms: ${last.message}` };
    await ctx.sleep(poll);
  }
}
