/** zod schemas of the domain types, for tool outputs (mirrors src/core/types.ts). */
import { z } from "zod";

export const ObjectRefSchema = z.object({
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  uid: z.string().optional(),
});

export const FindingSchema = z.object({
  id: z.string(),
  kind: z.enum(["anomaly", "prediction", "problem", "alert"]),
  severity: z.enum(["info", "warning", "critical"]),
  subject: ObjectRefSchema,
  affected: z.array(ObjectRefSchema),
  rootCause: z.string(),
  reason: z.string(),
  evidence: z.array(z.object({ type: z.string(), text: z.string(), data: z.unknown().optional() })),
  fix: z
    .object({
      description: z.string(),
      command: z.string().optional(),
      patch: z.unknown().optional(),
    })
    .optional(),
  confidence: z.number(),
  source: z.string(),
  time: z.number(),
  eta: z.number().optional(),
});

export const ActionSummarySchema = z.object({
  runId: z.string(),
  runbook: z.string(),
  action: z.string(),
  target: ObjectRefSchema,
  verdict: z.enum(["allowed", "denied", "needs_approval"]),
  reasons: z.array(z.string()),
  result: z.enum(["applied", "failed", "rolled_back", "skipped", "dry_run"]),
  auditId: z.string(),
  time: z.number(),
});

export const IncidentSchema = z.object({
  id: z.string(),
  key: z.string(),
  title: z.string(),
  status: z.enum(["open", "diagnosed", "remediating", "resolved", "escalated"]),
  severity: z.enum(["info", "warning", "critical"]),
  subject: ObjectRefSchema,
  rootCause: z.string(),
  findings: z.array(FindingSchema),
  actions: z.array(ActionSummarySchema),
  openedAt: z.number(),
  diagnosedAt: z.number().optional(),
  resolvedAt: z.number().optional(),
  updatedAt: z.number(),
});

/** Input fields of a paged list tool. */
export const PageInput = {
  limit: z.number().int().min(1).max(500).default(50).describe("at most this many items"),
  continue: z.string().optional().describe("the previous answer's `continue`, for the next page"),
};

/** Output fields of a paged list tool: `truncated` with a `continue` token when more remain. */
export const PageOutput = {
  total: z.number(),
  truncated: z.boolean(),
  continue: z.string().optional(),
};
