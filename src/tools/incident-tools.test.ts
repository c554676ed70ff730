import { describe, expect, it } from "vitest";
import type { Runbook } from "../act/runbook.ts";
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
      runbooks: [runbook("oom-scale-out"), runbook("oom-restart")],
    } as Partial<ToolContext> as ToolContext;
    const registry = new ToolRegistry(INCIDENT_TOOLS);
    expect(INCIDENT_TOOLS.every((t) => t.annotations.readOnly)).toBe(true);

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
    await expect(registry.call(ctx, "search_incidents", {})).rejects.toThrow(
      /give a query or an incidentId/,
    );
  });
});
