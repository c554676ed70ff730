/**
 * Incident knowledge as tools: search past incidents by text or by an incident's likeness,
 * and read one incident with its signals, similar past incidents and the runbooks to try
 * (the one that worked on a similar incident first).
 */
import { z } from "zod";
import { matches } from "../act/runbook.ts";
import { OpsloopError } from "../core/errors.ts";
import type { Incident } from "../core/types.ts";
import type { SimilarIncident } from "../incidents/knowledge.ts";
import type { IncidentRecord } from "../incidents/record.ts";
import { byteSize, DEFAULT_MAX_BYTES, ENVELOPE_BYTES, fitItems } from "./budget.ts";
import type { ToolContext } from "./context.ts";
import { defineTool, type Tool } from "./registry.ts";
import { ActionSummarySchema, IncidentSchema, ObjectRefSchema } from "./schemas.ts";

const READ = { readOnly: true, destructive: false, idempotent: true, openWorld: false };

const PastIncidentSchema = z.object({
  incidentId: z.string(),
  title: z.string(),
  cause: z.string(),
  reasons: z.array(z.string()),
  subject: ObjectRefSchema,
  outcome: z.enum(["auto-resolved", "resolved-after-escalation", "resolved"]),
  runbook: z.string().optional(),
  actions: z.array(ActionSummarySchema),
  openedAt: z.number(),
  resolvedAt: z.number(),
  score: z.number(),
  sameReason: z.boolean(),
  sameWorkload: z.boolean(),
});

/** Ranked root-cause hypotheses (src/incidents/rca) and the LLM investigator's conclusion. */
const HypothesisSchema = z.object({
  entity: ObjectRefSchema,
  cause: z.string(),
  confidence: z.number(),
  score: z.number(),
  evidence: z.array(z.object({ type: z.string(), text: z.string() })),
  explains: z.array(ObjectRefSchema),
});
const InvestigationSchema = z.object({
  summary: z.string(),
  steps: z.number(),
  toolCalls: z.array(z.object({ tool: z.string(), ok: z.boolean() })),
  stoppedBy: z.string(),
  time: z.number(),
});

function past(s: SimilarIncident): z.input<typeof PastIncidentSchema> {
  const e = s.entry;
  return {
    incidentId: e.incidentId,
    title: e.title,
    cause: e.cause,
    reasons: e.reasons,
    subject: e.subject,
    outcome: e.outcome,
    ...(e.runbook ? { runbook: e.runbook } : {}),
    actions: e.actions,
    openedAt: e.openedAt,
    resolvedAt: e.resolvedAt,
    score: Number(s.score.toFixed(3)),
    sameReason: s.sameReason,
    sameWorkload: s.sameWorkload,
  };
}

/**
 * An incident as tools show it (IncidentSchema's fields: no signal states or past episodes), cut
 * to `maxBytes`: first without evidence `data` (sampled series; the evidence text says what
 * they show), then with only the findings and newest actions that fit.
 */
export function fitIncident(
  record: Incident,
  maxBytes: number,
): { incident: z.output<typeof IncidentSchema>; cut: boolean } {
  const inc = IncidentSchema.parse(record);
  if (byteSize(inc) <= maxBytes) return { incident: inc, cut: false };
  const findings = inc.findings.map((f) => ({
    ...f,
    evidence: f.evidence.map(({ data: _, ...e }) => e),
  }));
  const rest = maxBytes - byteSize({ ...inc, findings: [], actions: [] });
  const kept = fitItems(findings, findings.length, rest / 2);
  const actions = fitItems([...inc.actions].reverse(), inc.actions.length, rest / 2).reverse();
  return { incident: { ...inc, findings: kept, actions }, cut: true };
}

function incidentOrThrow(ctx: ToolContext, id: string) {
  const inc = ctx.incidents.get(id);
  if (!inc) throw new OpsloopError("not_found", `no incident ${id}`);
  return inc;
}

const searchIncidents = defineTool({
  name: "search_incidents",
  title: "Search past incidents",
  description:
    "Resolved incidents most similar to a text query or to an incident (by id): cause, actions taken, outcome and the runbook that worked.",
  input: z
    .object({
      query: z.string().min(1).optional(),
      incidentId: z.string().optional(),
      limit: z.number().int().positive().max(50).default(5),
    })
    .strict()
    .refine((i) => i.query !== undefined || i.incidentId !== undefined, {
      message: "give a query or an incidentId",
    }),
  output: z.object({ results: z.array(PastIncidentSchema) }),
  annotations: READ,
  run: async (ctx, input) => {
    const q = input.incidentId ? incidentOrThrow(ctx, input.incidentId) : (input.query as string);
    return { results: ctx.incidents.knowledge.similar(q, { limit: input.limit }).map(past) };
  },
});

const getIncident = defineTool({
  name: "get_incident",
  title: "Get incident",
  description:
    "One incident with its lifecycle timestamps, grouped signals, similar past incidents and the runbooks to try, the one that worked before first. Within the output budget: `truncated` says findings, actions or signals were left out (`totalSignals` counts them all).",
  input: z.object({ id: z.string() }).strict(),
  output: z.object({
    incident: IncidentSchema,
    acknowledgedAt: z.number().optional(),
    recurrenceOf: z.string().optional(),
    signals: z.array(
      z.object({
        fingerprint: z.string(),
        source: z.enum(["alert", "finding"]),
        reason: z.string(),
        subject: ObjectRefSchema,
        firstAt: z.number(),
        lastAt: z.number(),
        resolvedAt: z.number().optional(),
        episodes: z.number(),
      }),
    ),
    totalSignals: z.number(),
    similar: z.array(PastIncidentSchema),
    proposedRunbooks: z.array(z.string()),
    hypotheses: z.array(HypothesisSchema),
    investigation: InvestigationSchema.optional(),
    truncated: z.boolean(),
  }),
  annotations: READ,
  run: async (ctx, input) => {
    const inc = incidentOrThrow(ctx, input.id);
    const lead = inc.findings[0];
    const candidates = ctx.runbooks.filter((r) => lead && matches(r, lead)).map((r) => r.name);
    // Half the budget for the incident, a quarter for its signals, the rest for the others.
    const budget = DEFAULT_MAX_BYTES - ENVELOPE_BYTES;
    const fitted = fitIncident(inc, budget / 2);
    const signals = fitItems(inc.signals.map(signalOf), inc.signals.length, budget / 4);
    return {
      incident: fitted.incident,
      ...(inc.acknowledgedAt !== undefined ? { acknowledgedAt: inc.acknowledgedAt } : {}),
      ...(inc.recurrenceOf ? { recurrenceOf: inc.recurrenceOf } : {}),
      signals,
      totalSignals: inc.signals.length,
      similar: ctx.incidents.knowledge.similar(inc).map(past),
      proposedRunbooks: ctx.incidents.knowledge.proposeRunbooks(inc, candidates),
      hypotheses: inc.hypotheses ?? [],
      ...(inc.investigation ? { investigation: inc.investigation } : {}),
      truncated: fitted.cut || signals.length < inc.signals.length,
    };
  },
});

function signalOf(s: IncidentRecord["signals"][number]) {
  return {
    fingerprint: s.fingerprint,
    source: s.source,
    reason: s.reason,
    subject: s.subject,
    firstAt: s.firstAt,
    lastAt: s.lastAt,
    ...(s.resolvedAt !== undefined ? { resolvedAt: s.resolvedAt } : {}),
    episodes: s.episodes,
  };
}

const acknowledgeIncident = defineTool({
  name: "acknowledge_incident",
  title: "Acknowledge incident",
  description:
    "Marks an incident as acknowledged by a person (the MTTA timestamp); changes nothing in the cluster. Idempotent: the first acknowledgement stands.",
  input: z.object({ id: z.string(), by: z.string().min(1).max(100) }).strict(),
  output: z.object({ id: z.string(), acknowledgedAt: z.number(), acknowledgedBy: z.string() }),
  annotations: { readOnly: false, destructive: false, idempotent: true, openWorld: false },
  run: async (ctx, input) => {
    const inc = ctx.incidents.acknowledge(
      incidentOrThrow(ctx, input.id).id,
      input.by,
      ctx.clock.now(),
    );
    return {
      id: input.id,
      acknowledgedAt: inc?.acknowledgedAt ?? 0,
      acknowledgedBy: inc?.acknowledgedBy ?? input.by,
    };
  },
});

export const INCIDENT_TOOLS: Tool[] = [searchIncidents, getIncident, acknowledgeIncident] as Tool[];
