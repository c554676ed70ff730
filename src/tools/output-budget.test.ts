/**
 * Every list-like loop tool stays within the output budget on a store of 1,000 incidents (and
 * 1,000 problems, predictions, anomalies, approvals and audit records).
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { describe, expect, it } from "vitest";
import { ApprovalStore } from "../act/approvals/store.ts";
import { AuditLog } from "../act/audit.ts";
import { FixedClock } from "../core/clock.ts";
import type { Finding, Incident } from "../core/types.ts";
import type { SignalState } from "../incidents/correlate.ts";
import { IncidentManager } from "../incidents/incidents.ts";
import { saveIncident } from "../incidents/record.ts";
import { createMcpServer } from "../interfaces/mcp/server.ts";
import { openDb } from "../store/sqlite.ts";
import { byteSize, DEFAULT_MAX_BYTES } from "./budget.ts";
import type { ToolContext } from "./context.ts";
import { toolRegistry } from "./index.ts";

const N = 1000;
const T0 = Date.UTC(2026, 0, 5);

function finding(i: number, kind: Finding["kind"], samples = 0): Finding {
  const subject = { kind: "Deployment", namespace: `team-${i % 40}`, name: `svc-${i}` };
  return {
    id: `${kind}-${i}`,
    kind,
    severity: "warning",
    subject,
    affected: [{ kind: "Pod", namespace: subject.namespace, name: `svc-${i}-abc` }],
    rootCause: `container app of svc-${i} exits with code 1: missing environment variable DB_URL_${i}`,
    reason: kind === "prediction" ? "OOMPredicted" : "CrashLoopBackOff",
    evidence: [
      { type: "status", text: "back-off 5m0s restarting failed container app".repeat(3) },
      ...(samples
        ? [
            {
              type: "samples",
              text: "memory",
              data: Array.from({ length: samples }, (_, t) => t),
            } as const,
          ]
        : []),
    ],
    confidence: 0.9,
    source: "test",
    time: T0 + i * 60_000,
    ...(kind === "prediction" ? { eta: T0 + i * 60_000 + 600_000 } : {}),
  };
}

function signal(f: Finding, j: number): SignalState {
  return {
    fingerprint: `${f.id}/${j}`,
    source: "finding",
    reason: f.reason,
    severity: f.severity,
    subject: { kind: "Pod", namespace: f.subject.namespace, name: `${f.subject.name}-${j}` },
    placement: {} as SignalState["placement"],
    firstAt: f.time,
    lastAt: f.time,
    episodes: 1,
    finding: f,
  };
}

function incident(i: number, big: boolean): Incident & { signals: SignalState[] } {
  const findings = big
    ? Array.from({ length: 20 }, (_, j) => finding(i * 100 + j, "problem", 500))
    : [finding(i, "problem")];
  const lead = findings[0] as Finding;
  return {
    id: `inc-${String(i).padStart(4, "0")}`,
    key: `incident-${i}/CrashLoopBackOff`,
    title: `CrashLoopBackOff in deployment ${lead.subject.namespace}/${lead.subject.name}`,
    status: i % 2 ? "diagnosed" : "resolved",
    severity: "warning",
    subject: lead.subject,
    rootCause: lead.rootCause,
    findings,
    actions: Array.from({ length: big ? 300 : 1 }, (_, j) => ({
      runId: `run-${i}-${j}`,
      runbook: "bad-rollout-undo",
      action: "rollout-undo",
      target: lead.subject,
      verdict: "needs_approval" as const,
      reasons: ["disruptive-needs-approval: rolling back needs a human's approval"],
      result: "skipped" as const,
      auditId: `audit-${i}-${j}`,
      time: lead.time,
    })),
    openedAt: T0 + i * 60_000,
    updatedAt: T0 + i * 60_000,
    signals: Array.from({ length: big ? 5000 : 3 }, (_, j) => signal(finding(i, "problem"), j)),
  };
}

function context(): ToolContext {
  const db = openDb();
  const clock = new FixedClock(T0 + N * 60_000);
  for (let i = 0; i < N; i++) saveIncident(db, incident(i, i === 7));
  const audit = new AuditLog(db, clock);
  for (let i = 0; i < N; i++)
    audit.append({
      actor: "opsloop/agent",
      action: "rollout-undo",
      target: { kind: "Deployment", namespace: "shop", name: `svc-${i}` },
      why: "CrashLoopBackOff after a rollout",
      verdict: { allowed: false, reasons: ["disruptive-needs-approval"] },
      result: "denied",
    });
  const approvals = new ApprovalStore({ db, audit, clock });
  for (let i = 0; i < N; i++)
    approvals.create({
      runId: `run-${i}`,
      action: "rollout-undo",
      target: { kind: "Deployment", namespace: "shop", name: `svc-${i}` },
      summary: `rollout-undo on Deployment shop/svc-${i} (bad-rollout-undo: CrashLoopBackOff)`,
      reasons: ["disruptive-needs-approval: rolling back needs a human's approval"],
    });
  const findings = Array.from({ length: N }, (_, i) => [
    finding(i, "problem"),
    finding(i, "prediction"),
    finding(i, "anomaly", 200),
  ]).flat();
  return {
    findings: () => findings,
    approvals,
    incidents: new IncidentManager(db),
    audit,
    runbooks: [],
    clock,
  } as unknown as ToolContext;
}

describe("output budgets on 1,000 incidents", () => {
  const ctx = context();
  const reg = toolRegistry({ allowWrite: false });
  const call = async (name: string, input: Record<string, unknown>) => {
    const out = (await reg.call(ctx, name, input)) as Record<string, unknown>;
    expect(byteSize(out), `${name} ${JSON.stringify(input)}`).toBeLessThanOrEqual(
      DEFAULT_MAX_BYTES,
    );
    return out;
  };

  it("keeps every answer of the list and incident tools within the budget, saying when it cut", async () => {
    for (const input of [{}, { limit: 500 }, { status: "resolved", limit: 500 }])
      expect(await call("list_incidents", input)).toMatchObject({ truncated: true });
    expect(await call("list_problems", { limit: 500 })).toMatchObject({
      total: N,
      truncated: true,
    });
    expect(await call("get_predictions", { limit: 500 })).toMatchObject({
      total: N,
      truncated: true,
    });
    expect(await call("audit_log", { limit: 1000 })).toMatchObject({ truncated: true });
    expect(await call("get_anomalies", { limit: 500 })).toMatchObject({
      total: N,
      truncated: true,
    });
    expect(await call("list_approvals", { status: "pending", limit: 500 })).toMatchObject({
      total: N,
      truncated: true,
    });
    expect(
      await call("search_incidents", { query: "CrashLoopBackOff svc", limit: 50 }),
    ).toBeTruthy();
    const big = await call("get_incident", { id: "inc-0007" });
    expect(big).toMatchObject({ truncated: true, totalSignals: 5000 });
    const small = await call("get_incident", { id: "inc-0008" });
    expect(small).toMatchObject({ truncated: false, totalSignals: 3 });
  });

  it("pages list_incidents with continue tokens to every incident exactly once", async () => {
    // The resolved half: every page re-reads the store, and the half keeps the test quick.
    const seen: string[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const out = (await call("list_incidents", {
        status: "resolved",
        limit: 200,
        ...(next ? { continue: next } : {}),
      })) as { incidents: { id: string }[]; continue?: string; total: number };
      expect(out.total).toBe(N / 2);
      seen.push(...out.incidents.map((i) => i.id));
      next = out.continue;
      pages++;
    } while (next && pages < 100);
    expect(pages).toBeGreaterThan(1);
    expect(seen).toHaveLength(N / 2);
    expect(new Set(seen).size).toBe(N / 2);
  });

  it("cuts an oversized incident to the budget, dropping sampled evidence first", async () => {
    const out = (await call("list_incidents", { status: "diagnosed", limit: 4 })) as {
      incidents: Incident[];
    };
    const big = out.incidents.find((inc) => inc.id === "inc-0007");
    expect(big?.findings.length).toBeGreaterThan(0);
    expect(big?.findings.length).toBeLessThan(20);
    expect(big?.findings.flatMap((f) => f.evidence).some((e) => e.data !== undefined)).toBe(false);
    const one = (await call("get_incident", { id: "inc-0007" })) as { incident: Incident };
    expect(one.incident.findings.flatMap((f) => f.evidence).some((e) => e.data)).toBe(false);
    expect(one.incident.actions.at(-1)?.runId).toBe("run-7-299");
  });
  it("keeps the MCP incident resources within the budget too, newest first", async () => {
    const server = createMcpServer(ctx);
    const client = new Client({ name: "budget", version: "1" });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(a);
    await client.connect(b);
    for (const uri of ["opsloop://incidents", "opsloop://incidents/inc-0007"]) {
      const text = (await client.readResource({ uri })).contents[0] as { text: string };
      expect(Buffer.byteLength(text.text), uri).toBeLessThanOrEqual(DEFAULT_MAX_BYTES);
    }
    const list = (await client.readResource({ uri: "opsloop://incidents" })).contents[0] as {
      text: string;
    };
    expect(JSON.parse(list.text)[0].id).toBe("inc-0999");
    await client.close();
  });
});
