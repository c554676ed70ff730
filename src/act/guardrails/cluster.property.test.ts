/**
 * For random policies and random node-failure findings, nothing the guardrails do not allow
 * reaches the cluster: every write the executor sends for the predictive-isolation step
 * (set-node-condition) with a verdict that is not `allowed` is a server-side dry run (checked
 * in the simulator's own request log, not in our code). The CEL conditions read `object`, the
 * target node as the executor hands it to the policy.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../core/types.ts";
import type { SimCluster } from "../../sim/cluster.ts";
import { startScenario } from "../../sim/scenarios/harness.ts";
import { loadKubeConfig } from "../../sources/kubernetes/kube-source.ts";
import { openDb } from "../../store/sqlite.ts";
import { AuditLog } from "../audit.ts";
import { kubeClusterActions } from "../cluster-actions.ts";
import { Executor } from "../executor.ts";
import { predictedFailureRunbook } from "../node-readiness/predictive-isolation.ts";
import { PolicySchema } from "./policy.ts";

let cluster: SimCluster;
let kc: KubeConfig;

beforeAll(async () => {
  cluster = startScenario("node-degradation", { tickMs: 5_000 }).cluster;
  await cluster.listen({ port: 0, host: "127.0.0.1" });
  const file = join(mkdtempSync(join(tmpdir(), "guard-prop-")), "kubeconfig");
  cluster.writeKubeconfig(file);
  kc = loadKubeConfig(file);
  cluster.step(60_000);
});
afterAll(() => cluster.close());

const NODES = ["node-a-1", "node-b-1", "node-c-1"];

/** The isolation step, without the runbook's per-subject limit: the policy's limits decide. */
const isolation = (failing: boolean) => {
  const rb = predictedFailureRunbook(failing);
  return { ...rb, limits: { ...rb.limits, maxRunsPerSubjectPerHour: 1000 } };
};

const CONDITIONS = [
  "finding.severity != 'critical'",
  "request.name == 'node-c-1'",
  "request.name.startsWith('node-a')",
  "finding.reason == 'NodeFailurePredicted' && request.name != 'node-b-1'",
  "blast.poolUnavailableRatio > 0.3",
  "object.metadata.labels['topology.kubernetes.io/zone'] == 'eu-west-1b'",
];

const policyArb = fc.record({
  allowed: fc.boolean(),
  mode: fc.constantFrom("enforce", "dryRunOnly"),
  rules: fc.array(
    fc.record({
      effect: fc.constantFrom("deny", "requireApproval"),
      condition: fc.constantFrom(...CONDITIONS),
    }),
    { maxLength: 3 },
  ),
  maxTotal: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  maxPoolUnavailable: fc.option(fc.constantFrom(0, 0.34, 0.67, 1), { nil: undefined }),
});

const findingArb = fc.record({
  node: fc.constantFrom(...NODES),
  severity: fc.constantFrom("info", "warning", "critical"),
  failing: fc.boolean(),
});

describe("guardrails in front of the cluster (properties)", () => {
  it("never lets a write that was not allowed reach the cluster", async () => {
    const seen = { allowed: 0, held: 0, denied: 0, dryRun: 0 };
    await fc.assert(
      fc.asyncProperty(
        policyArb,
        fc.array(findingArb, { minLength: 1, maxLength: 4 }),
        async (p, findings) => {
          const policy = PolicySchema.parse({
            mode: p.mode,
            allowedActions: p.allowed ? ["set-node-condition"] : ["drain"],
            rules: p.rules.map((r, i) => ({ name: `r${i}`, ...r, reason: `rule ${i}` })),
            rateLimits:
              p.maxTotal === undefined ? [] : [{ name: "rl", maxTotal: p.maxTotal, window: "1h" }],
            blastRadius:
              p.maxPoolUnavailable === undefined
                ? []
                : [{ name: "pool", maxPoolUnavailable: p.maxPoolUnavailable }],
          });
          const db = openDb();
          const audit = new AuditLog(db, cluster.clock);
          const executor = new Executor({
            cluster: kubeClusterActions(kc),
            policy,
            audit,
            db,
            clock: cluster.clock,
            wall: cluster.clock,
            sleep: async (ms) => {
              cluster.step(ms);
            },
          });
          for (const f of findings) {
            cluster.apiServer?.clearRequests();
            const finding: Finding = {
              id: `f-${f.node}`,
              kind: "prediction",
              severity: f.severity as Finding["severity"],
              subject: { kind: "Node", name: f.node },
              affected: [],
              rootCause: "hardware drift",
              reason: "NodeFailurePredicted",
              evidence: [],
              confidence: 0.8,
              source: "property",
              time: cluster.clock.now(),
            };
            const [out] = await executor.run(isolation(f.failing), finding);
            const kind =
              out?.result === "dry_run"
                ? "dryRun"
                : out?.verdict === "allowed"
                  ? "allowed"
                  : out?.verdict === "needs_approval"
                    ? "held"
                    : "denied";
            seen[kind]++;
            const writes = (cluster.apiServer?.requests() ?? []).filter((r) => r.method !== "GET");
            const real = writes.filter((w) => !w.query.includes("dryRun=All"));
            if (kind === "allowed") expect(real.length).toBeGreaterThan(0);
            else {
              expect(real).toEqual([]);
              expect(writes.length > 0).toBe(kind === "dryRun");
            }
          }
          expect(audit.verify().ok).toBe(true);
        },
      ),
      { numRuns: 80 },
    );
    // The generators must exercise every outcome, or the property says little.
    expect(Object.values(seen).every((n) => n > 0)).toBe(true);
  });
});
