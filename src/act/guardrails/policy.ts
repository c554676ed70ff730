/**
 * Guardrail policy: deny rules a human wrote. Evaluation is pure (no I/O) and denies when in
 * doubt: an unknown action, a namespace whose labels could not be read, or a malformed policy
 * all produce a denial with the reason.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";
import { parseDuration } from "../../core/clock.ts";
import { OpsloopError } from "../../core/errors.ts";
import type { ObjectRef } from "../../core/types.ts";

const MatchSchema = z
  .object({
    namespaces: z.array(z.string()).optional(),
    namespaceLabels: z.record(z.string(), z.string()).optional(),
    actions: z.array(z.string()).optional(),
    kinds: z.array(z.string()).optional(),
  })
  .strict();

const RuleSchema = z
  .object({ name: z.string(), effect: z.literal("deny"), match: MatchSchema, reason: z.string() })
  .strict();

const RateLimitSchema = z
  .object({
    name: z.string(),
    actions: z.array(z.string()).optional(),
    /** At most this many applied actions on one target within `window`. */
    maxPerTarget: z.number().int().nonnegative(),
    window: z.string().refine((w) => safeDuration(w) !== undefined, "a duration such as 30m or 1h"),
  })
  .strict();

export const PolicySchema = z
  .object({
    /** Actions the executor may run at all; anything else is denied. */
    allowedActions: z.array(z.string()),
    rules: z.array(RuleSchema),
    rateLimits: z.array(RateLimitSchema).default([]),
  })
  .strict();

export type Policy = z.infer<typeof PolicySchema>;
export type Rule = z.infer<typeof RuleSchema>;
export type RateLimit = z.infer<typeof RateLimitSchema>;

function safeDuration(w: string): number | undefined {
  try {
    return parseDuration(w);
  } catch {
    // Reported by the schema's refinement message instead.
    return undefined;
  }
}

/** An action that was applied earlier (from the audit log), for rate limits. */
export interface RecentAction {
  action: string;
  target: ObjectRef;
  time: number;
}

export interface Verdict {
  allowed: boolean;
  reasons: string[];
}

export interface GuardrailRequest {
  action: string;
  target: ObjectRef;
  /** Labels of the target's namespace; undefined when they could not be read (→ deny). */
  namespaceLabels: Record<string, string> | undefined;
  /** Evaluation time and previously applied actions; both needed when the policy has rate limits. */
  now?: number;
  recent?: RecentAction[];
}

export const DEFAULT_POLICY: Policy = {
  allowedActions: ["rollout-restart"],
  rules: [
    {
      name: "no-kube-system",
      effect: "deny",
      match: { namespaces: ["kube-system"] },
      reason: "changes in kube-system are never automated",
    },
    {
      name: "protected-namespaces",
      effect: "deny",
      match: { namespaceLabels: { "opsloop.dev/protected": "true" } },
      reason: "the namespace is labelled opsloop.dev/protected=true",
    },
  ],
  // A restart that keeps being needed is not fixing anything: stop and leave it to a human.
  rateLimits: [
    { name: "restart-budget", actions: ["rollout-restart"], maxPerTarget: 3, window: "1h" },
  ],
};

export function loadPolicy(path: string): Policy {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new OpsloopError("invalid_input", `cannot read policy ${path}: ${(e as Error).message}`);
  }
  const parsed = PolicySchema.safeParse(doc);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new OpsloopError("invalid_input", `invalid policy ${path}: ${problems}`);
  }
  return parsed.data;
}

function ruleMatches(rule: Rule, req: GuardrailRequest): boolean {
  const m = rule.match;
  if (m.actions && !m.actions.includes(req.action)) return false;
  if (m.kinds && !m.kinds.includes(req.target.kind)) return false;
  if (m.namespaces && !m.namespaces.includes(req.target.namespace ?? "")) return false;
  if (m.namespaceLabels) {
    const labels = req.namespaceLabels ?? {};
    for (const [k, v] of Object.entries(m.namespaceLabels)) if (labels[k] !== v) return false;
  }
  return true;
}

const sameTarget = (a: ObjectRef, b: ObjectRef) =>
  a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;

function rateLimitReasons(limit: RateLimit, req: GuardrailRequest): string[] {
  if (limit.actions && !limit.actions.includes(req.action)) return [];
  if (req.now === undefined || req.recent === undefined)
    return [`${limit.name}: the history of earlier actions is unknown`];
  const since = req.now - parseDuration(limit.window);
  const now = req.now;
  const used = req.recent.filter(
    (r) =>
      r.action === req.action &&
      sameTarget(r.target, req.target) &&
      r.time > since &&
      r.time <= now,
  ).length;
  return used >= limit.maxPerTarget
    ? [
        `${limit.name}: ${used} ${req.action} actions on this target within ${limit.window} (limit ${limit.maxPerTarget})`,
      ]
    : [];
}

export function evaluate(policy: Policy, req: GuardrailRequest): Verdict {
  try {
    const reasons: string[] = [];
    if (!policy.allowedActions.includes(req.action)) {
      reasons.push(`action ${req.action} is not in the policy's allowed actions`);
    }
    if (req.target.namespace && req.namespaceLabels === undefined) {
      reasons.push(`the labels of namespace ${req.target.namespace} are unknown`);
    }
    for (const rule of policy.rules) {
      if (ruleMatches(rule, req)) reasons.push(`${rule.name}: ${rule.reason}`);
    }
    for (const limit of policy.rateLimits) reasons.push(...rateLimitReasons(limit, req));
    return reasons.length
      ? { allowed: false, reasons }
      : { allowed: true, reasons: ["no deny rule matched"] };
  } catch (e) {
    return { allowed: false, reasons: [`policy evaluation failed: ${(e as Error).message}`] };
  }
}
