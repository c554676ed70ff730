import { describe, expect, it } from "vitest";
import type { Finding } from "../core/types.ts";
import { openDb } from "../store/sqlite.ts";
import { IncidentManager } from "./incidents.ts";

const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);

function finding(over: Partial<Finding> = {}): Finding {
  return {
    id: "f1",
    kind: "problem",
    severity: "critical",
    subject: { kind: "Deployment", namespace: "shop", name: "api" },
    affected: [{ kind: "Pod", namespace: "shop", name: "api-1" }],
    rootCause: 'ConfigMap "api-config" does not exist in namespace shop',
    reason: "CreateContainerConfigError",
    evidence: [],
    confidence: 0.95,
    source: "test",
    time: T0,
    ...over,
  };
}

describe("incident manager", () => {
  it("opens one incident for a finding repeated every cycle and diagnoses it", () => {
    const m = new IncidentManager(openDb(), { resolveAfterMs: 60_000 });
    const first = m.ingest([finding()], T0);
    expect(first.map((e) => [e.type, e.incident.status])).toEqual([["opened", "diagnosed"]]);
    for (let i = 1; i <= 5; i++)
      expect(m.ingest([finding({ time: T0 + i * 10_000 })], T0 + i * 10_000)).toEqual([]);
    const all = m.list();
    expect(all).toHaveLength(1);
    expect(all[0]?.openedAt).toBe(T0);
    expect(all[0]?.diagnosedAt).toBe(T0);
  });

  it("reports an update when more pods are affected, and resolves after the findings stop", () => {
    const m = new IncidentManager(openDb(), { resolveAfterMs: 60_000 });
    m.ingest([finding()], T0);
    const more = finding({
      affected: [...finding().affected, { kind: "Pod", namespace: "shop", name: "api-2" }],
    });
    expect(m.ingest([more], T0 + 10_000).map((e) => e.type)).toEqual(["updated"]);
    expect(m.ingest([], T0 + 30_000)).toEqual([]);
    const resolved = m.ingest([], T0 + 70_000);
    expect(resolved.map((e) => [e.type, e.incident.status, e.incident.resolvedAt])).toEqual([
      ["resolved", "resolved", T0 + 10_000],
    ]);
    const again = m.ingest([finding()], T0 + 200_000);
    expect(again.map((e) => [e.type, e.incident.id])).toEqual([
      ["opened", resolved[0]?.incident.id],
    ]);
    expect(again[0]?.incident.resolvedAt).toBeUndefined();
  });

  it("keeps a low-confidence finding open and moves to remediating when an action applies", () => {
    const m = new IncidentManager(openDb());
    const [ev] = m.ingest(
      [finding({ confidence: 0.5, reason: "OOMPredicted", kind: "prediction" })],
      T0,
    );
    expect(ev?.incident.status).toBe("open");
    const action = {
      runId: "r1",
      runbook: "oom-predicted-restart",
      action: "rollout-restart",
      target: finding().subject,
      verdict: "allowed" as const,
      reasons: [],
      result: "applied" as const,
      auditId: "a1",
      time: T0 + 1,
    };
    const after = m.recordAction(ev?.incident.id ?? "", action, T0 + 1);
    expect(after?.status).toBe("remediating");
    expect(m.get(ev?.incident.id ?? "")?.actions).toHaveLength(1);
    const denied = {
      ...action,
      runId: "r2",
      verdict: "denied" as const,
      result: "skipped" as const,
    };
    expect(m.recordAction(ev?.incident.id ?? "", denied, T0 + 2)?.status).toBe("escalated");
  });
});
