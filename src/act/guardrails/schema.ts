/**
 * The guardrail policy file format (YAML or JSON), validated strictly with zod so a typo in a
 * field name is an error, never a silently ignored safety rule. `policyJsonSchema()` publishes
 * the same schema for editors (`opsloop policy schema`).
 */
import { CronExpressionParser } from "cron-parser";
import { z } from "zod";
import { parseDuration } from "../../core/clock.ts";

function safeDuration(w: string): number | undefined {
  try {
    return parseDuration(w);
  } catch {
    // Reported by the schema's refinement message instead.
    return undefined;
  }
}

const Duration = z
  .string()
  .refine((w) => safeDuration(w) !== undefined, "a duration such as 30m, 1h or 1h30m");

const Actions = z.array(z.string().min(1)).optional();

const MatchSchema = z
  .object({
    namespaces: z.array(z.string()).optional(),
    namespaceLabels: z.record(z.string(), z.string()).optional(),
    actions: Actions,
    kinds: z.array(z.string()).optional(),
  })
  .strict();

const RuleSchema = z
  .object({
    name: z.string().min(1),
    /** deny: never; requireApproval: only after a human approved this action. */
    effect: z.enum(["deny", "requireApproval"]),
    /** Static match; all given fields must match. */
    match: MatchSchema.optional(),
    /**
     * A CEL expression (as in ValidatingAdmissionPolicy) that must be true for the rule to
     * apply, over `request`, `object`, `namespaceObject`, `namespaceLabels`, `runbook`,
     * `finding`, `blast`. An error (missing key, wrong type) counts as a denial.
     */
    condition: z.string().min(1).optional(),
    reason: z.string().min(1),
  })
  .strict()
  .refine((r) => r.match !== undefined || r.condition !== undefined, {
    message: "a rule needs a match, a condition or both",
  });

const RateLimitSchema = z
  .object({
    name: z.string().min(1),
    actions: Actions,
    /** At most this many applied actions on one target within `window`. */
    maxPerTarget: z.number().int().nonnegative().optional(),
    /** At most this many applied actions (of these kinds) on any target within `window`. */
    maxTotal: z.number().int().nonnegative().optional(),
    window: Duration,
  })
  .strict()
  .refine((l) => l.maxPerTarget !== undefined || l.maxTotal !== undefined, {
    message: "a rate limit needs maxPerTarget, maxTotal or both",
  });

const BlastRadiusSchema = z
  .object({
    name: z.string().min(1),
    actions: Actions,
    maxPodsPerAction: z.number().int().nonnegative().optional(),
    maxNodesPerAction: z.number().int().nonnegative().optional(),
    /** Sliding one-hour window over applied actions, this one included. */
    maxPodsPerHour: z.number().int().nonnegative().optional(),
    maxNodesPerHour: z.number().int().nonnegative().optional(),
    /** Share (0..1) of a workload's pods that may be unavailable after the action. */
    maxWorkloadUnavailable: z.number().min(0).max(1).optional(),
    /** Share (0..1) of a node pool that may be cordoned/unavailable after the action. */
    maxPoolUnavailable: z.number().min(0).max(1).optional(),
  })
  .strict();

function validCron(expr: string): boolean {
  try {
    CronExpressionParser.parse(expr);
    return expr.trim().split(/\s+/).length === 5;
  } catch {
    return false;
  }
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const WindowSchema = z
  .object({
    name: z.string().min(1),
    /** Five-field cron for the window's start, e.g. "0 2 * * 6" (Saturday 02:00). */
    schedule: z.string().refine(validCron, "a five-field cron expression such as 0 2 * * 6"),
    duration: Duration,
    timezone: z
      .string()
      .default("UTC")
      .refine(validTimeZone, "an IANA time zone, e.g. Europe/Berlin"),
    /** allowOnlyInside: matching actions run only inside; denyInside: never inside. */
    effect: z.enum(["allowOnlyInside", "denyInside"]),
    actions: Actions,
  })
  .strict();

export const PolicySchema = z
  .object({
    /** enforce (default) or dryRunOnly: nothing is ever applied, only server-side dry runs. */
    mode: z.enum(["enforce", "dryRunOnly"]).default("enforce"),
    /** Actions the executor may run at all; anything else is denied. */
    allowedActions: z.array(z.string()),
    rules: z.array(RuleSchema).default([]),
    rateLimits: z.array(RateLimitSchema).default([]),
    blastRadius: z.array(BlastRadiusSchema).default([]),
    maintenanceWindows: z.array(WindowSchema).default([]),
    /**
     * The optional LLM investigator is read-only unless its write tools are named here (e.g.
     * execute_remediation); each call still goes through these guardrails. approve_action and
     * reject_action are a human's decisions and are never offered to it.
     */
    investigator: z
      .object({ writeTools: z.array(z.string().min(1)).default([]) })
      .strict()
      .default({ writeTools: [] }),
  })
  .strict();

/** The parsed policy, defaults filled in. */
export type Policy = z.infer<typeof PolicySchema>;
/** What a policy file may contain (defaults optional). */
export type PolicyInput = z.input<typeof PolicySchema>;
export type Rule = z.infer<typeof RuleSchema>;
export type RateLimit = z.infer<typeof RateLimitSchema>;
export type BlastRadiusLimit = z.infer<typeof BlastRadiusSchema>;
export type MaintenanceWindow = z.infer<typeof WindowSchema>;

/** JSON Schema (draft 2020-12) of the policy file, as written by a human (defaults optional). */
export function policyJsonSchema(): unknown {
  return z.toJSONSchema(PolicySchema, { io: "input", unrepresentable: "any" });
}

/** True when a limit, rule or window with an optional `actions` list covers this action. */
export const coversAction = (actions: string[] | undefined, action: string) =>
  actions === undefined || actions.includes(action);
