/** The loop's capabilities: read problems, incidents, predictions and audit; propose and execute remediation. */
import { z } from "zod";
import { matches } from "../act/runbook.ts";
import { OpsloopError } from "../core/errors.ts";
import { redactObject } from "../core/redact.ts";
import type { Incident } from "../core/types.ts";
import { DEFAULT_MAX_BYTES, ENVELOPE_BYTES, fitItems, pageOf } from "./budget.ts";
import type { ToolContext } from "./context.ts";
import { currentProblems } from "./diagnose-tools.ts";
import { fitIncident } from "./incident-tools.ts";
import { defineTool, type Tool, ToolRegistry } from "./registry.ts";
import {
  ActionSummarySchema,
  FindingSchema,
  IncidentSchema,
  ObjectRefSchema,
  PageInput,
  PageOutput,
} from "./schemas.ts";

const READ = { readOnly: true, destructive: false, idempotent: true, openWorld: false };

const listProblems = defineTool({
  name: "list_problems",
  title: "List problems",
  description:
    "Broken things in the cluster now, each with its root cause, evidence, affected objects and a fix.",
  input: z.object({ namespace: z.string().optional(), ...PageInput }).strict(),
  output: z.object({ problems: z.array(FindingSchema), ...PageOutput }),
  annotations: READ,
  run: async (ctx, input) => {
    const { items, ...page } = pageOf(await currentProblems(ctx, input.namespace), input);
    return { problems: items, ...page };
  },
});

const listIncidents = defineTool({
  name: "list_incidents",
  title: "List incidents",
  description:
    "Incidents (correlated findings) with lifecycle status, root cause, actions and timestamps.",
  input: z.object({ status: IncidentSchema.shape.status.optional(), ...PageInput }).strict(),
  output: z.object({ incidents: z.array(IncidentSchema), ...PageOutput }),
  annotations: READ,
  run: async (ctx, input) => {
    const all = ctx.incidents.list(input.status ? { status: input.status } : {});
    // One incident may hold 20 findings with sampled evidence: each is cut to a quarter of the
    // budget, so a page still lists several (get_incident shows more of one).
    const { items, ...page } = pageOf(
      all,
      input,
      (inc) => fitIncident(inc, (DEFAULT_MAX_BYTES - ENVELOPE_BYTES) / 4).incident,
    );
    return { incidents: items, ...page };
  },
});

const getPredictions = defineTool({
  name: "get_predictions",
  title: "Get predictions",
  description: "Predicted failures (e.g. OOM kill) with their ETA and confidence.",
  input: z.object({ ...PageInput }).strict(),
  output: z.object({ predictions: z.array(FindingSchema), ...PageOutput }),
  annotations: READ,
  run: async (ctx, input) => {
    const all = ctx.findings().filter((f) => f.kind === "prediction");
    const { items, ...page } = pageOf(all, input);
    return { predictions: items, ...page };
  },
});

const VerdictSchema = z.object({
  allowed: z.boolean(),
  needsApproval: z.boolean().optional(),
  dryRunOnly: z.boolean().optional(),
  reasons: z.array(z.string()),
});

const ProposalSchema = z.object({
  incidentId: z.string(),
  runbook: z.string().optional(),
  action: z.string().optional(),
  target: ObjectRefSchema.optional(),
  /** The first target's verdict (the canary's): what would happen first. */
  verdict: VerdictSchema,
  /** Unmet runbook preconditions: the runbook would not start. */
  preconditions: z.array(z.string()).optional(),
  steps: z
    .array(
      z.object({
        action: z.string(),
        params: z.record(z.string(), z.unknown()),
        targets: z.array(
          z.object({
            target: ObjectRefSchema,
            blast: z
              .object({
                pods: z.number(),
                nodes: z.number(),
                workloadUnavailableRatio: z.number().optional(),
                poolUnavailableRatio: z.number().optional(),
              })
              .optional(),
            verdict: VerdictSchema,
          }),
        ),
      }),
    )
    .optional(),
});

function incidentOrThrow(ctx: ToolContext, id: string): Incident {
  const inc = ctx.incidents.get(id);
  if (!inc) throw new OpsloopError("not_found", `no incident ${id}`);
  return inc;
}

async function propose(
  ctx: ToolContext,
  incidentId: string,
): Promise<z.infer<typeof ProposalSchema>> {
  const inc = incidentOrThrow(ctx, incidentId);
  const finding = inc.findings[0];
  const runbook = finding && ctx.runbooks.find((r) => matches(r, finding));
  if (!runbook || !finding)
    return {
      incidentId,
      verdict: { allowed: false, reasons: ["no runbook matches this incident"] },
    };
  // Secrets in parameters (a manifest, an env value) are masked before they leave the process.
  const { steps, preconditions } = redactObject(await ctx.executor.plan(runbook, finding));
  const first = steps[0]?.targets[0];
  return {
    incidentId,
    runbook: runbook.name,
    action: steps[0]?.action,
    target: first?.target ?? inc.subject,
    verdict: preconditions.length
      ? { allowed: false, reasons: preconditions }
      : (first?.verdict ?? { allowed: false, reasons: ["the runbook has no target now"] }),
    preconditions,
    steps,
  };
}

const proposeRemediation = defineTool({
  name: "propose_remediation",
  title: "Propose remediation",
  description:
    "The runbook that would remediate an incident: each step's targets, blast radius and guardrail verdict, and unmet preconditions; changes nothing.",
  input: z.object({ incidentId: z.string() }).strict(),
  output: ProposalSchema,
  annotations: { ...READ, openWorld: true },
  run: (ctx, input) => propose(ctx, input.incidentId),
});

const executeRemediation = defineTool({
  name: "execute_remediation",
  title: "Execute remediation",
  description:
    "Runs the matching runbook for an incident: guardrails (and approval where the policy asks), server-side dry run, snapshot, apply, verification, rollback on failure, audit. Requires confirm: true.",
  input: z.object({ incidentId: z.string(), confirm: z.literal(true) }).strict(),
  output: z.object({ actions: z.array(ActionSummarySchema) }),
  annotations: { readOnly: false, destructive: true, idempotent: false, openWorld: true },
  run: async (ctx, input) => {
    const inc = incidentOrThrow(ctx, input.incidentId);
    const finding = inc.findings[0];
    const runbook = finding && ctx.runbooks.find((r) => matches(r, finding));
    if (!finding || !runbook)
      throw new OpsloopError("not_found", `no runbook matches incident ${inc.id}`);
    const actions = await ctx.executor.run(runbook, finding, { incidentId: inc.id });
    for (const a of actions) ctx.incidents.recordAction(inc.id, a, ctx.clock.now());
    return { actions };
  },
});

const auditLog = defineTool({
  name: "audit_log",
  title: "Audit log",
  description:
    "Recent audit records of actions (hash-chained) and whether the chain verifies; the newest that fit the output budget (`truncated` when older ones were left out).",
  input: z.object({ limit: z.number().int().positive().max(1000).default(100) }).strict(),
  output: z.object({
    records: z.array(
      z.object({
        id: z.string(),
        seq: z.number(),
        time: z.number(),
        actor: z.string(),
        action: z.string(),
        result: z.string(),
        hash: z.string(),
        prevHash: z.string(),
        target: z.unknown().optional(),
        why: z.string().optional(),
        verdict: z.object({ allowed: z.boolean(), reasons: z.array(z.string()) }).optional(),
        details: z.unknown().optional(),
      }),
    ),
    verification: z.union([
      z.object({ ok: z.literal(true), count: z.number() }),
      z.object({ ok: z.literal(false), seq: z.number(), reason: z.string() }),
    ]),
    truncated: z.boolean(),
  }),
  annotations: READ,
  run: async (ctx, input) => {
    const all = ctx.audit.list({ limit: input.limit });
    // Oldest first: the budget keeps the newest end.
    const kept = fitItems([...all].reverse(), all.length, DEFAULT_MAX_BYTES - ENVELOPE_BYTES);
    return {
      records: kept.reverse(),
      verification: ctx.audit.verify(),
      truncated: kept.length < all.length,
    };
  },
});

export const LOOP_TOOLS: Tool[] = [
  listProblems,
  listIncidents,
  getPredictions,
  proposeRemediation,
  executeRemediation,
  auditLog,
] as Tool[];

export function loopToolRegistry(): ToolRegistry {
  return new ToolRegistry(LOOP_TOOLS);
}
