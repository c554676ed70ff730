/** Runbooks: YAML files with a trigger (which findings), steps and verification. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { parseDuration } from "../core/clock.ts";
import { OpsloopError } from "../core/errors.ts";
import type { Finding } from "../core/types.ts";

export const RunbookSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/),
    description: z.string(),
    trigger: z
      .object({
        reasons: z.array(z.string()).min(1),
        subjectKinds: z.array(z.string()).optional(),
        minConfidence: z.number().min(0).max(1).default(0),
      })
      .strict(),
    steps: z
      .array(
        z.object({ action: z.literal("rollout-restart"), target: z.literal("subject") }).strict(),
      )
      .min(1),
    verify: z
      .object({ rolloutTimeout: z.string().default("2m") })
      .strict()
      .default({ rolloutTimeout: "2m" }),
  })
  .strict();

export type Runbook = z.infer<typeof RunbookSchema>;

export const BUILTIN_RUNBOOKS_DIR = new URL("./runbooks/", import.meta.url).pathname;

export function parseRunbook(text: string, origin: string): Runbook {
  const parsed = RunbookSchema.safeParse(parse(text));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new OpsloopError("invalid_input", `invalid runbook ${origin}: ${problems}`);
  }
  parseDuration(parsed.data.verify.rolloutTimeout);
  return parsed.data;
}

export function loadRunbooks(dir = BUILTIN_RUNBOOKS_DIR): Runbook[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
    .sort()
    .map((f) => parseRunbook(readFileSync(join(dir, f), "utf8"), f));
}

export function matches(runbook: Runbook, f: Finding): boolean {
  const t = runbook.trigger;
  if (!t.reasons.includes(f.reason)) return false;
  if (t.subjectKinds && !t.subjectKinds.includes(f.subject.kind)) return false;
  return f.confidence >= t.minConfidence;
}
