import { describe, expect, it } from "vitest";
import { AuditLog } from "../act/audit.ts";
import type { ClusterActions } from "../act/cluster-actions.ts";
import { Executor } from "../act/executor.ts";
import { DEFAULT_POLICY } from "../act/guardrails/policy.ts";
import { loadRunbooks } from "../act/runbook.ts";
import { FixedClock } from "../core/clock.ts";
import type { Finding } from "../core/types.ts";
import { IncidentManager } from "../incidents/incidents.ts";
import { openDb } from "../store/sqlite.ts";
import type { ToolContext } from "./context.ts";
import { defineTool } from "./registry.ts";
import { loopToolRegistry } from "./tools.ts";

const prediction: Finding = {
  id: "p1",
  kind: "prediction",
  severity: "critical",
  subject: { kind: "Deployment", namespace: "vault", name: "ledger" },
  affected: [{ kind: "Pod", namespace: "vault", name: "ledger-1" }],
  rootCause: "memory reaches its limit in 8 min",
  reason: "OOMPredicted",
  evidence: [],
  confidence: 0.99,
  source: "test",
  time: 0,
  eta: 480_000,
};

function context(): ToolContext {
  const db = openDb();
  const clock = new FixedClock(1000);
  const audit = new AuditLog(db, clock);
  // A cluster whose only namespace, vault, is protected; deployments cannot be read.
  const cluster: ClusterActions = {
    namespaceLabels: async (ns) =>
      ns === "vault" ? { "opsloop.dev/protected": "true" } : undefined,
    getDeployment: async () => {
      throw new Error("not reachable in this test");
    },
    patchDeployment: async () => {
      throw new Error("not reachable in this test");
    },
  };
  const incidents = new IncidentManager(db);
  incidents.ingest([prediction], 1000);
  const executor = new Executor({ cluster, policy: DEFAULT_POLICY, audit, clock });
  return {
    findings: () => [prediction],
    incidents,
    audit,
    executor,
    cluster,
    policy: DEFAULT_POLICY,
    runbooks: loadRunbooks(),
    clock,
  };
}

describe("capability registry", () => {
  it("lists the loop's tools with snake_case names and annotations", () => {
    const tools = loopToolRegistry().list();
    expect(tools.map((t) => t.name)).toEqual([
      "list_problems",
      "list_incidents",
      "get_predictions",
      "propose_remediation",
      "execute_remediation",
      "audit_log",
    ]);
    expect(tools.find((t) => t.name === "execute_remediation")?.annotations).toMatchObject({
      readOnly: false,
      destructive: true,
    });
    expect(() => defineTool({ ...tools[0], name: "Problems" } as never)).toThrow(/snake_case/);
  });

  it("validates input once for every adapter", async () => {
    const ctx = context();
    const reg = loopToolRegistry();
    await expect(reg.call(ctx, "list_incidents", { status: "sleeping" })).rejects.toThrow(
      /list_incidents: status/,
    );
    await expect(reg.call(ctx, "execute_remediation", { incidentId: "x" })).rejects.toThrow(
      /confirm/,
    );
    await expect(reg.call(ctx, "no_such_tool", {})).rejects.toThrow(/no tool named/);
  });

  it("returns predictions and incidents, and proposes a remediation the guardrail denies", async () => {
    const ctx = context();
    const reg = loopToolRegistry();
    expect(await reg.call(ctx, "get_predictions", {})).toMatchObject({
      predictions: [{ reason: "OOMPredicted", eta: 480_000 }],
    });
    expect(await reg.call(ctx, "list_problems", {})).toEqual({
      problems: [],
      total: 0,
      truncated: false,
    });
    const { incidents } = (await reg.call(ctx, "list_incidents", {})) as {
      incidents: { id: string }[];
    };
    const proposal = await reg.call(ctx, "propose_remediation", { incidentId: incidents[0]?.id });
    expect(proposal).toMatchObject({
      runbook: "oom-predicted-restart",
      action: "rollout-restart",
      verdict: { allowed: false },
    });
  });

  it("executes through the guardrail and shows the audited denial in the audit log", async () => {
    const ctx = context();
    const reg = loopToolRegistry();
    const id = ctx.incidents.list()[0]?.id;
    const { actions } = (await reg.call(ctx, "execute_remediation", {
      incidentId: id,
      confirm: true,
    })) as { actions: { verdict: string; auditId: string }[] };
    expect(actions[0]?.verdict).toBe("denied");
    const log = (await reg.call(ctx, "audit_log", {})) as {
      records: { id: string; result: string }[];
      verification: unknown;
    };
    expect(log.records).toMatchObject([{ id: actions[0]?.auditId, result: "denied" }]);
    expect(log.verification).toEqual({ ok: true, count: 1 });
    expect(ctx.incidents.get(id ?? "")?.actions).toHaveLength(1);
  });
});
