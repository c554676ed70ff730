/**
 * Read endpoints shaped for the dashboard: pages of incident summaries (a thousand incidents must
 * not travel whole), one incident with its timeline, chart series and ROI figures.
 */
import type { Context, Hono } from "hono";
import { z } from "zod";
import type { SeriesBuffer } from "../../agent/runtime-series.ts";
import { OpsloopError } from "../../core/errors.ts";
import { redactObject } from "../../core/redact.ts";
import type { Incident } from "../../core/types.ts";
import type { ToolContext } from "../../tools/context.ts";
import { problemResponse } from "./problem.ts";
import { bearerOk, bodyInput } from "./tool-routes.ts";

const PageQuery = z
  .object({
    offset: z.coerce.number().int().nonnegative().default(0),
    limit: z.coerce.number().int().positive().max(500).default(50),
    status: z
      .enum(["open", "diagnosed", "remediating", "escalated", "resolved", "active"])
      .optional(),
    q: z.string().optional(),
  })
  .strict();

export interface IncidentSummary {
  id: string;
  title: string;
  status: Incident["status"];
  severity: Incident["severity"];
  subject: Incident["subject"];
  rootCause: string;
  openedAt: number;
  diagnosedAt?: number;
  resolvedAt?: number;
  updatedAt: number;
  findings: number;
  actions: number;
  lastAction?: { action: string; result: string; verdict: string };
}

export function summary(i: Incident): IncidentSummary {
  const last = i.actions[i.actions.length - 1];
  return {
    id: i.id,
    title: i.title,
    status: i.status,
    severity: i.severity,
    subject: i.subject,
    rootCause: i.rootCause,
    openedAt: i.openedAt,
    diagnosedAt: i.diagnosedAt,
    resolvedAt: i.resolvedAt,
    updatedAt: i.updatedAt,
    findings: i.findings.length,
    actions: i.actions.length,
    lastAction: last && { action: last.action, result: last.result, verdict: last.verdict },
  };
}

export interface TimelineEntry {
  time: number;
  what: string;
  detail?: string;
}

/** The incident's story in time order: opened, each finding, diagnosis, each action, resolution. */
export function timeline(i: Incident): TimelineEntry[] {
  const out: TimelineEntry[] = [{ time: i.openedAt, what: "opened", detail: i.title }];
  for (const f of i.findings)
    out.push({ time: f.time, what: `${f.kind}: ${f.reason}`, detail: f.rootCause });
  if (i.diagnosedAt !== undefined)
    out.push({ time: i.diagnosedAt, what: "diagnosed", detail: i.rootCause });
  for (const a of i.actions)
    out.push({
      time: a.time,
      what: `${a.action} ${a.result} (${a.verdict})`,
      detail: a.reasons.join("; ") || a.runbook,
    });
  if (i.resolvedAt !== undefined) out.push({ time: i.resolvedAt, what: "resolved" });
  return out.sort((a, b) => a.time - b.time);
}

export interface Roi {
  incidents: number;
  resolved: number;
  /** Mean ms from first observation to a diagnosis with enough confidence. */
  mttdMs?: number;
  /** Mean ms from first observation to resolution. */
  mttrMs?: number;
  /** Distinct findings grouped into incidents, and the share of pages saved by grouping. */
  findings: number;
  noiseReduction?: number;
  actions: Record<string, number>;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);

export function roi(incidents: Incident[]): Roi {
  const diagnosed = incidents.filter((i) => i.diagnosedAt !== undefined);
  const resolved = incidents.filter((i) => i.resolvedAt !== undefined);
  const findingIds = new Set(incidents.flatMap((i) => i.findings.map((f) => f.id)));
  const actions: Record<string, number> = {};
  for (const a of incidents.flatMap((i) => i.actions))
    actions[a.result] = (actions[a.result] ?? 0) + 1;
  return {
    incidents: incidents.length,
    resolved: resolved.length,
    mttdMs: mean(diagnosed.map((i) => (i.diagnosedAt as number) - i.openedAt)),
    mttrMs: mean(resolved.map((i) => (i.resolvedAt as number) - i.openedAt)),
    findings: findingIds.size,
    noiseReduction: findingIds.size ? 1 - incidents.length / findingIds.size : undefined,
    actions,
  };
}

function matchesQuery(i: Incident, q: string | undefined): boolean {
  if (!q) return true;
  const needle = q.toLowerCase();
  return `${i.title} ${i.rootCause} ${i.subject.namespace ?? ""}`.toLowerCase().includes(needle);
}

export interface DashboardApiOptions {
  ctx: ToolContext;
  /** Bearer token the approve/reject buttons send; without one they answer 403. */
  token?: string;
  onWrite?: (what: string) => void;
  series?: SeriesBuffer;
  /** ROI figures from the incidents module's report when it provides one. */
  roi?: () => unknown;
}

export function mountDashboardApi(app: Hono, o: DashboardApiOptions): void {
  const guard = (fn: (c: Context) => Response | Promise<Response>) => async (c: Context) => {
    try {
      return await fn(c);
    } catch (e) {
      return problemResponse(c, e);
    }
  };
  app.get(
    "/api/v1/incident-summaries",
    guard((c) => {
      const parsed = PageQuery.safeParse(c.req.query());
      if (!parsed.success)
        throw new OpsloopError(
          "invalid_input",
          parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
        );
      const { offset, limit, status, q } = parsed.data;
      const all = o.ctx.incidents
        .list(status === "active" ? { active: true } : status ? { status } : {})
        .filter((i) => matchesQuery(i, q))
        .sort((a, b) => b.updatedAt - a.updatedAt);
      return c.json({
        total: all.length,
        offset,
        items: all.slice(offset, offset + limit).map(summary),
      });
    }),
  );
  app.get(
    "/api/v1/incidents/:id",
    guard((c) => {
      const id = c.req.param("id") ?? "";
      const inc = o.ctx.incidents.get(id);
      if (!inc) throw new OpsloopError("not_found", `no incident ${id}`);
      // Hypotheses quote event messages and changes as seen: redacted before they leave, as the
      // MCP server redacts every tool result.
      const shown = inc.hypotheses ? { ...inc, hypotheses: redactObject(inc.hypotheses) } : inc;
      return c.json({ incident: shown, timeline: timeline(inc) });
    }),
  );
  app.get(
    "/api/v1/series",
    guard((c) => {
      const namespace = c.req.query("namespace");
      const ids = c.req.queries("id") ?? [];
      // Summaries by default: a thousand pods' full rings would be megabytes every refresh.
      if (!ids.length)
        return c.json({ series: o.series?.summaries(namespace ? { namespace } : {}) ?? [] });
      const full = ids.slice(0, 20).flatMap((id) => o.series?.get(id) ?? []);
      return c.json({ series: full });
    }),
  );
  mountApprovalDecisions(app, o, guard);
  app.get(
    "/api/v1/roi",
    guard((c) => c.json((o.roi?.() ?? roi(o.ctx.incidents.list())) as object)),
  );
}

const Decision = z.object({ reason: z.string().min(1).optional() }).strict();

/**
 * The dashboard's approve/reject buttons. The bearer token already identifies the operator who
 * started opsloop (it was printed to them), so, like the CLI with the database in hand, they
 * decide by id; tool clients (MCP, LLMs) must use approve_action with the one-time token.
 */
function mountApprovalDecisions(
  app: Hono,
  o: DashboardApiOptions,
  guard: (fn: (c: Context) => Promise<Response>) => (c: Context) => Promise<Response>,
): void {
  for (const verb of ["approve", "reject"] as const)
    app.post(
      `/api/v1/approvals/:id/${verb}`,
      guard(async (c) => {
        if (!bearerOk(c, o.token))
          throw new OpsloopError("denied", `${verb} needs "Authorization: Bearer <token>"`);
        if (!o.ctx.approvals)
          throw new OpsloopError("unavailable", "no approval store is configured");
        const body = Decision.safeParse(await bodyInput(c));
        if (!body.success) throw new OpsloopError("invalid_input", "body: { reason?: string }");
        const id = c.req.param("id") ?? "";
        const approval =
          verb === "approve"
            ? o.ctx.approvals.approve(id, { actor: "dashboard" })
            : o.ctx.approvals.reject(id, {
                actor: "dashboard",
                reason: body.data.reason ?? "rejected in the dashboard",
              });
        o.onWrite?.(`${verb}_action`);
        return c.json({ approval });
      }),
    );
}
