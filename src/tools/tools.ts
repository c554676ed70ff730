/** The loop's capabilities: read problems, incidents, predictions and audit; propose and execute remediation. */
import { z } from "zod";
import { recentActions } from "../act/executor.ts";
import { evaluate } from "../act/guardrails/policy.ts";
import { matches } from "../act/runbook.ts";
import { OpsloopError } from "../core/errors.ts";
import type { Incident } from "../core/types.ts";
import type { ToolContext } from "./context.ts";
import { currentProblems } from "./diagnose-tools.ts";
import { defineTool, type Tool, ToolRegistry } from "./registry.ts";
import { ActionSummarySchema, FindingSchema, IncidentSchema, ObjectRefSchema } from "./schemas.ts";

const READ = { readOnly: true, destructive: false, idempotent: true, openWorld: false };

const listProblems = defineTool({
  name: "list_problems",
  title: "List problems",
  description:
    "Broken things in the cluster now, each with its root cause, evidence, affected objects and a fix.",
  input: z.object({ namespace: z.string().optional() }).strict(),
  output: z.object({ problems: z.array(FindingSchema) }),
  annotations: READ,
  run: async (ctx, input) => ({ problems: await currentProblems(ctx, input.namespace) }),
});

const listIncidents = defineTool({
  name: "list_incidents",
  title: "List incidents",
  description:
    "Incidents (correlated findings) with lifecycle status, root cause, actions and timestamps.",
  input: z.object({ status: IncidentSchema.shape.status.optional() }).strict(),
  output: z.object({ incidents: z.array(IncidentSchema) }),
  annotations: READ,
  run: async (ctx, input) => ({
    incidents: ctx.incidents.list(input.status ? { status: input.status } : {}),
  }),
});

const getPredictions = defineTool({
  name: "get_predictions",
  title: "Get predictions",
  description: "Predicted failures (e.g. OOM kill) with their ETA and confidence.",
  input: z.object({}).strict(),
  output: z.object({ predictions: z.array(FindingSchema) }),
  annotations: READ,
  run: async (ctx) => ({ predictions: ctx.findings().filter((f) => f.kind === "prediction") }),
});

const ProposalSchema = z.object({
  incidentId: z.string(),
  runbook: z.string().optional(),
  action: z.string().optional(),
  target: ObjectRefSchema.optional(),
  verdict: z.object({ allowed: z.boolean(), reasons: z.array(z.string()) }),
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
  const step = runbook?.steps[0];
  if (!runbook || !step)
    return {
      incidentId,
      verdict: { allowed: false, reasons: ["no runbook matches this incident"] },
    };
  const labels = inc.subject.namespace
    ? await ctx.cluster.namespaceLabels(inc.subject.namespace)
    : {};
  const verdict = evaluate(ctx.policy, {
    action: step.action,
    target: inc.subject,
    namespaceLabels: labels,
    now: ctx.clock.now(),
    recent: recentActions(ctx.audit),
  });
  return { incidentId, runbook: runbook.name, action: step.action, target: inc.subject, verdict };
}

const proposeRemediation = defineTool({
  name: "propose_remediation",
  title: "Propose remediation",
  description:
    "The runbook action that would remediate an incident and the guardrail verdict on it; changes nothing.",
  input: z.object({ incidentId: z.string() }).strict(),
  output: ProposalSchema,
  annotations: { ...READ, openWorld: true },
  run: (ctx, input) => propose(ctx, input.incidentId),
});

const executeRemediation = defineTool({
  name: "execute_remediation",
  title: "Execute remediation",
  description:
    "Runs the matching runbook for an incident through guardrails, dry-run, verification and audit. Requires confirm: true.",
  input: z.object({ incidentId: z.string(), confirm: z.literal(true) }).strict(),
  output: z.object({ actions: z.array(ActionSummarySchema) }),
  annotations: { readOnly: false, destructive: true, idempotent: false, openWorld: true },
  run: async (ctx, input) => {
    const inc = incidentOrThrow(ctx, input.incidentId);
    const finding = inc.findings[0];
    const runbook = finding && ctx.runbooks.find((r) => matches(r, finding));
    if (!finding || !runbook)
      throw new OpsloopError("not_found", `no runbook matches incident ${inc.id}`);
    const actions = await ctx.executor.run(runbook, finding);
    for (const a of actions) ctx.incidents.recordAction(inc.id, a, ctx.clock.now());
    return { actions };
  },
});

const auditLog = defineTool({
  name: "audit_log",
  title: "Audit log",
  description: "Recent audit records of actions (hash-chained) and whether the chain verifies.",
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
  }),
  annotations: READ,
  run: async (ctx, input) => ({
    records: ctx.audit.list({ limit: input.limit }),
    verification: ctx.audit.verify(),
  }),
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
