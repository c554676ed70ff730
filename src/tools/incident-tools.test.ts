import { describe, expect, it } from "vitest";
import type { Runbook } from "../act/runbook.ts";
import { FixedClock } from "../core/clock.ts";
import type { Finding } from "../core/types.ts";
import { IncidentManager } from "../incidents/incidents.ts";
import { openDb } from "../store/sqlite.ts";
import type { ToolContext } from "./context.ts";
import { INCIDENT_TOOLS } from "./incident-tools.ts";
import { ToolRegistry } from "./registry.ts";

const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
const MIN = 60_000;

const oom: Finding = {
  id: "oom",
  kind: "prediction",
  severity: "warning",
  subject: { kind: "Deployment", namespace: "shop", name: "worker" },
  affected: [],
  rootCause: "worker's memory grows 8Mi/min and reaches its 512Mi limit in 20m",
  reason: "OOMPredicted",
  evidence: [],
  confidence: 0.9,
  source: "test",
  time: T0,
};

function runbook(name: string): Runbook {
  return {
    name,
    trigger: { reasons: ["OOMPredicted"], minConfidence: 0.5 },
    steps: [{ action: "rollout-restart" }],
  } as unknown as Runbook;
}

describe("incident tools", () => {
  it("search_incidents and get_incident show the past incident and propose the runbook that worked", async () => {
    const incidents = new IncidentManager(openDb(), { resolveAfterMs: 2 * MIN });
    const [ev] = incidents.ingest([oom], T0);
    incidents.recordAction(
      ev?.incident.id ?? "",
      {
        runId: "r1",
        runbook: "oom-restart",
        action: "rollout-restart",
        target: oom.subject,
        verdict: "allowed",
        reasons: [],
        result: "applied",
        auditId: "a1",
        time: T0 + MIN,
      },
      T0 + MIN,
    );
    incidents.ingest([], T0 + 10 * MIN);
    const [again] = incidents.ingest([{ ...oom, time: T0 + 60 * MIN }], T0 + 60 * MIN);
    const ctx = {
      incidents,
      clock: new FixedClock(T0 + 61 * MIN),
      runbooks: [runbook("oom-scale-out"), runbook("oom-restart")],
    } as Partial<ToolContext> as ToolContext;
    const registry = new ToolRegistry(INCIDENT_TOOLS);
    expect(INCIDENT_TOOLS.filter((t) => !t.annotations.readOnly).map((t) => t.name)).toEqual([
      "acknowledge_incident",
    ]);

    const found = (await registry.call(ctx, "search_incidents", {
      query: "worker memory limit",
    })) as {
      results: { incidentId: string; outcome: string; runbook?: string }[];
    };
    expect(found.results[0]).toMatchObject({ outcome: "auto-resolved", runbook: "oom-restart" });

    const got = (await registry.call(ctx, "get_incident", { id: again?.incident.id })) as {
      incident: { status: string };
      signals: { reason: string }[];
      similar: unknown[];
      proposedRunbooks: string[];
    };
    expect(got.incident.status).toBe("diagnosed");
    expect(got.signals.map((s) => s.reason)).toEqual(["OOMPredicted"]);
    expect(got.similar).toHaveLength(1);
    expect(got.proposedRunbooks).toEqual(["oom-restart", "oom-scale-out"]);
    const ack = { id: again?.incident.id, by: "alice" };
    const acked = (await registry.call(ctx, "acknowledge_incident", ack)) as {
      acknowledgedAt: number;
    };
    expect(acked.acknowledgedAt).toBe(T0 + 61 * MIN);
    ctx.clock = new FixedClock(T0 + 70 * MIN);
    expect(await registry.call(ctx, "acknowledge_incident", { ...ack, by: "bob" })).toEqual({
      id: ack.id,
      acknowledgedAt: T0 + 61 * MIN,
      acknowledgedBy: "alice",
    });
    await expect(registry.call(ctx, "search_incidents", {})).rejects.toThrow(
      /give a query or an incidentId/,
    );
  });
});
