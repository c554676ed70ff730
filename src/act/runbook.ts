/**
 * Runbooks v2: YAML files with a trigger (which findings), preconditions, steps from the action
 * library with their targets, verification (object conditions in CEL, metric bounds when a
 * metrics reader is wired, a timeout), rollback and limits. Strict zod schema, published as JSON
 * Schema (`runbookJsonSchema()`); every problem is reported with the file and the path.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { parseDuration } from "../core/clock.ts";
import { OpsloopError } from "../core/errors.ts";
import type { Finding } from "../core/types.ts";
import { ACTIONS } from "./actions/index.ts";
import { compileCondition } from "./guardrails/cel.ts";

const Duration = z.string().regex(/^(\d+(\.\d+)?(ms|s|m|h))+$/, "a duration like 30s, 2m or 1h");
const Cel = z.object({ expr: z.string().min(1), message: z.string().optional() }).strict();

/** Where a step acts: the finding's subject, its affected objects, or objects selected by kind. */
export const TargetSchema = z.union([
  z.literal("subject"),
  z.literal("affected"),
  z
    .object({
      kind: z.enum(["Pod", "Node", "Deployment"]),
      /** `${subject.namespace}` / `${subject.name}` are replaced by the finding's subject. */
      namespace: z.string().optional(),
      labelSelector: z.string().optional(),
      fieldSelector: z.string().optional(),
    })
    .strict(),
]);

export const StepSchema = z
  .object({
    action: z.enum(ACTIONS.map((a) => a.name) as [string, ...string[]]),
    target: TargetSchema.default("subject"),
    params: z.record(z.string(), z.unknown()).default({}),
    /** Targets after the canary are done this many at a time, each batch verified. */
    batchSize: z.number().int().positive().default(1),
  })
  .strict();

export const RunbookSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/),
    description: z.string(),
    trigger: z
      .object({
        reasons: z.array(z.string()).min(1),
        findingKinds: z.array(z.enum(["anomaly", "prediction", "problem", "alert"])).optional(),
        /** The analyzer or detector (`finding.source`). */
        analyzers: z.array(z.string()).optional(),
        subjectKinds: z.array(z.string()).optional(),
        /** Labels the subject object must carry (checked with the preconditions). */
        labels: z.record(z.string(), z.string()).optional(),
        minConfidence: z.number().min(0).max(1).default(0),
      })
      .strict(),
    /** CEL over `object` (the subject as read) and `finding`; all must hold before any step. */
    preconditions: z.array(Cel).default([]),
    steps: z.array(StepSchema).min(1),
    verification: z
      .object({
        timeout: Duration.default("2m"),
        interval: Duration.default("2s"),
        /** CEL over `object` (each target, read again) and `finding`. */
        conditions: z.array(Cel).default([]),
        /** PromQL with bounds, checked only when the executor has a metrics reader. */
        metrics: z
          .array(
            z
              .object({ query: z.string(), min: z.number().optional(), max: z.number().optional() })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .prefault({}),
    rollback: z
      .object({ onVerificationFailure: z.boolean().default(true) })
      .strict()
      .prefault({}),
    limits: z
      .object({
        maxTargets: z.number().int().positive().default(10),
        /** Runs of this runbook for one subject within an hour before it escalates instead. */
        maxRunsPerSubjectPerHour: z.number().int().positive().default(3),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Runbook = z.infer<typeof RunbookSchema>;
export type RunbookStep = z.infer<typeof StepSchema>;
export type RunbookTarget = z.infer<typeof TargetSchema>;

export const BUILTIN_RUNBOOKS_DIR = new URL("./runbooks/", import.meta.url).pathname;

export function runbookJsonSchema(): unknown {
  return z.toJSONSchema(RunbookSchema, { io: "input" });
}

const fail = (origin: string, problems: string[]) =>
  new OpsloopError("invalid_input", `invalid runbook ${origin}: ${problems.join("; ")}`);

/** Parameters and CEL are checked at load time, not when a fault is already happening. */
function deepProblems(rb: Runbook): string[] {
  const out: string[] = [];
  rb.steps.forEach((s, i) => {
    const action = ACTIONS.find((a) => a.name === s.action);
    const r = action?.params.safeParse(s.params);
    if (r && !r.success)
      for (const issue of r.error.issues)
        out.push(
          `steps.${i}.params${issue.path.length ? `.${issue.path.join(".")}` : ""}: ${issue.message}`,
        );
  });
  const cel = [
    ...rb.preconditions.map((c, i) => [`preconditions.${i}.expr`, c.expr] as const),
    ...rb.verification.conditions.map(
      (c, i) => [`verification.conditions.${i}.expr`, c.expr] as const,
    ),
  ];
  for (const [path, expr] of cel) {
    const c = compileCondition(expr);
    if ("error" in c) out.push(`${path}: ${c.error}`);
  }
  return out;
}

export function parseRunbook(text: string, origin: string): Runbook {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw fail(origin, [`not YAML: ${(e as Error).message.split("\n")[0]}`]);
  }
  const parsed = RunbookSchema.safeParse(doc);
  if (!parsed.success)
    throw fail(
      origin,
      parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`),
    );
  const problems = deepProblems(parsed.data);
  if (problems.length) throw fail(origin, problems);
  return parsed.data;
}

export function loadRunbooks(dir = BUILTIN_RUNBOOKS_DIR): Runbook[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
    .sort()
    .map((f) => parseRunbook(readFileSync(join(dir, f), "utf8"), join(dir, f)));
}

export const verificationTimeoutMs = (rb: Runbook) =>
  parseDuration(rb.verification?.timeout ?? "2m");

export function matches(runbook: Runbook, f: Finding): boolean {
  const t = runbook.trigger;
  if (!t.reasons.includes(f.reason)) return false;
  if (t.findingKinds && !t.findingKinds.includes(f.kind)) return false;
  if (t.analyzers && !t.analyzers.includes(f.source)) return false;
  if (t.subjectKinds && !t.subjectKinds.includes(f.subject.kind)) return false;
  return f.confidence >= (t.minConfidence ?? 0);
}
