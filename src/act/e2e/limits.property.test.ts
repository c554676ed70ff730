/**
 * Properties over the real executor and the simulator: concurrent triggers never overrun a
 * rate limit, and one incident firing up to 100 times (with quiet gaps that resolve and reopen
 * it) leads to at most one applied action per hour: the agent escalates a fix that did not hold.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../../agent/agent.ts";
import type { Finding } from "../../core/types.ts";
import { IncidentManager } from "../../incidents/incidents.ts";
import { emptySnapshot } from "../../sources/kubernetes/snapshot.ts";
import { openDb } from "../../store/sqlite.ts";
import { AuditLog } from "../audit.ts";
import { loadRunbooks } from "../runbook.ts";
import { type ActHarness, startActHarness } from "./harness.ts";

let h: ActHarness;
beforeAll(async () => {
  h = await startActHarness("traffic-surge", { tickMs: 5_000 });
});
afterAll(async () => h.close());

const restart = loadRunbooks().find((r) => r.name === "oom-predicted-restart")!;
const prediction = (id: string): Finding => ({
  id,
  kind: "prediction",
  severity: "critical",
  subject: { kind: "Deployment", namespace: "shop", name: "web" },
  affected: [],
  rootCause: "memory reaches its limit",
  reason: "OOMPredicted",
  evidence: [],
  confidence: 0.99,
  source: "test",
  time: h.cluster.clock.now(),
});

function fresh() {
  const db = openDb();
  const audit = new AuditLog(db, h.cluster.clock);
  return { db, audit, executor: h.executor({ db, audit }) };
}

const applied = (audit: AuditLog) =>
  audit.list({ limit: 1000 }).filter((r) => r.result === "applied").length;

describe("limits under load", () => {
  it("concurrent triggers on one Deployment apply at most the policy's 3 restarts per hour", async () => {
    // The runbook's own per-subject limit is lifted so the policy's rate limit is what holds.
    const loose = { ...restart, limits: { ...restart.limits, maxRunsPerSubjectPerHour: 1000 } };
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 12 }), async (n) => {
        const { audit, executor } = fresh();
        const results = await Promise.all(
          Array.from({ length: n }, (_, i) => executor.run(loose, prediction(`p${i}`))),
        );
        const ok = results.flat().filter((a) => a.result === "applied").length;
        expect(ok).toBe(Math.min(n, 3));
        expect(applied(audit)).toBe(Math.min(n, 3));
        expect(executor.gate.inFlight()).toBe(0);
        for (const a of results.flat().filter((x) => x.result !== "applied"))
          expect(a.reasons.join()).toMatch(/restart-budget/);
      }),
      { numRuns: 6 },
    );
  }, 120_000);

  it("one incident firing up to 100 times produces at most one applied restart", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ fire: fc.boolean(), gapMin: fc.integer({ min: 1, max: 8 }) }), {
          minLength: 1,
          maxLength: 100,
        }),
        async (schedule) => {
          const { db, audit, executor } = fresh();
          let firing = false;
          const agent = new Agent({
            source: { snapshot: () => emptySnapshot() },
            incidents: new IncidentManager(db, { resolveAfterMs: 5 * 60_000 }),
            executor,
            audit,
            runbooks: [restart],
            clock: h.cluster.clock,
            extraFindings: () => (firing ? [prediction("leak")] : []),
          });
          let fired = 0;
          const start = h.cluster.clock.now();
          for (const s of schedule) {
            firing = s.fire;
            if (s.fire) fired++;
            await agent.tick();
            await agent.stop();
            // The schedule spans less than the hour the limits look back over.
            if (h.cluster.clock.now() - start < 50 * 60_000) await h.advance(s.gapMin * 60_000);
          }
          expect(applied(audit)).toBe(fired > 0 ? 1 : 0);
          const escalations = audit.list({ limit: 1000 }).filter((r) => r.result === "escalated");
          for (const e of escalations) expect(e.verdict?.reasons.join()).toMatch(/came back/);
        },
      ),
      { numRuns: 8 },
    );
  }, 240_000);
});
