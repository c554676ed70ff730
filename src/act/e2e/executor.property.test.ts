/**
 * Random plans under random policies, through the real executor against the simulator: runbooks
 * of one to three steps drawn from the action library (Deployment, Node and Pod actions) and
 * policies mixing allow-lists, deny rules (static and CEL), approval rules nobody answers, rate
 * limits, pod blast radius and dry-run-only mode. Each runbook runs up to three times at once.
 * From the simulator's request log: a write that is not a server-side dry run only ever touches
 * a target whose action the guardrails allowed; and the audit log never shows more applied
 * actions than a rate limit permits.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionSummary, Finding, ObjectRef } from "../../core/types.ts";
import { openDb } from "../../store/sqlite.ts";
import { AuditLog } from "../audit.ts";
import { type Policy, parsePolicy } from "../guardrails/policy.ts";
import { RunbookSchema, type RunbookStep } from "../runbook.ts";
import { type ActHarness, startActHarness } from "./harness.ts";

let h: ActHarness;
beforeAll(async () => {
  h = await startActHarness("traffic-surge", { tickMs: 5_000 });
});
afterAll(async () => h.close());

type Kind = "Deployment" | "Node";
const SUBJECTS: Record<Kind, ObjectRef[]> = {
  Deployment: [
    { kind: "Deployment", namespace: "shop", name: "web" },
    { kind: "Deployment", namespace: "shop", name: "api" },
  ],
  Node: [
    { kind: "Node", name: "node-a-1" },
    { kind: "Node", name: "node-b-1" },
  ],
};

const step = (action: string, params: Record<string, unknown> = {}, target: unknown = "subject") =>
  ({ action, params, target, batchSize: 1 }) as RunbookStep;

/** Steps that act on the subject of each kind (and on its pods, for a Deployment). */
const STEPS: Record<Kind, fc.Arbitrary<RunbookStep>> = {
  Deployment: fc.oneof(
    fc.integer({ min: 1, max: 5 }).map((replicas) => step("scale", { replicas })),
    fc.constant(step("rollout-restart")),
    fc.constant(step("notify", { message: "look" })),
    fc.constant(
      step(
        "delete-pod",
        {},
        // biome-ignore lint/suspicious/noTemplateCurlyInString: runbook selector placeholders
        { kind: "Pod", namespace: "${subject.namespace}", labelSelector: "app=${subject.name}" },
      ),
    ),
  ),
  Node: fc.oneof(
    fc.constant(step("cordon")),
    fc.constant(step("uncordon")),
    fc.constant(step("taint-node", { key: "opsloop.dev/test", effect: "NoSchedule" })),
    fc.constant(step("set-node-condition", { type: "opsloop.dev/Test" })),
    fc.constant(step("notify", { message: "look" })),
  ),
};

const ACTION_NAMES = [
  "scale",
  "rollout-restart",
  "notify",
  "delete-pod",
  "cordon",
  "uncordon",
  "taint-node",
  "set-node-condition",
];
const someActions = fc.subarray(ACTION_NAMES, { minLength: 1, maxLength: 3 });
/** Present one time in three: most plans meet a few restrictions, not all at once. */
const sometimes = <T>(a: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: fc.constant(null), weight: 2 }, { arbitrary: a, weight: 1 });

const policyArb: fc.Arbitrary<Policy> = fc
  .record({
    mode: fc.constantFrom("enforce", "enforce", "enforce", "dryRunOnly"),
    allowedActions: fc.oneof(
      { arbitrary: fc.constant(ACTION_NAMES), weight: 2 },
      { arbitrary: fc.subarray(ACTION_NAMES, { minLength: 2 }), weight: 1 },
    ),
    deny: sometimes(someActions),
    denyName: sometimes(fc.constantFrom("web", "api", "node-a-1")),
    approve: sometimes(someActions),
    perTarget: sometimes(fc.integer({ min: 0, max: 2 })),
    total: sometimes(fc.integer({ min: 0, max: 3 })),
    maxPods: sometimes(fc.integer({ min: 0, max: 3 })),
  })
  .map((p) =>
    parsePolicy({
      mode: p.mode,
      allowedActions: p.allowedActions,
      rules: [
        ...(p.deny
          ? [{ name: "deny-some", effect: "deny", match: { actions: p.deny }, reason: "no" }]
          : []),
        ...(p.denyName
          ? [
              {
                name: "deny-one",
                effect: "deny",
                condition: `request.name == '${p.denyName}'`,
                reason: "no",
              },
            ]
          : []),
        ...(p.approve
          ? [
              {
                name: "ask",
                effect: "requireApproval",
                match: { actions: p.approve },
                reason: "ask",
              },
            ]
          : []),
      ],
      rateLimits: [
        ...(p.perTarget !== null
          ? [{ name: "per-target", maxPerTarget: p.perTarget, window: "1h" }]
          : []),
        ...(p.total !== null ? [{ name: "total", maxTotal: p.total, window: "1h" }] : []),
      ],
      blastRadius: p.maxPods !== null ? [{ name: "pods", maxPodsPerAction: p.maxPods }] : [],
    }),
  );

const planArb = fc.constantFrom<Kind>("Deployment", "Node").chain((kind) =>
  fc.record({
    subject: fc.constantFrom(...SUBJECTS[kind]),
    steps: fc.array(STEPS[kind], { minLength: 1, maxLength: 3 }),
    policy: policyArb,
    concurrent: fc.integer({ min: 1, max: 3 }),
  }),
);

/** The API paths that change a target (its object, status, scale subresource, eviction). */
const touches = (path: string, t: ObjectRef) =>
  path.includes(
    `/${t.kind === "Node" ? "nodes" : t.kind === "Pod" ? "pods" : "deployments"}/${t.name}`,
  );

const finding = (subject: ObjectRef, i: number): Finding => ({
  id: `f${i}`,
  kind: "problem",
  severity: "warning",
  subject,
  affected: [],
  rootCause: "random",
  reason: "Random",
  evidence: [],
  confidence: 1,
  source: "test",
  time: h.cluster.clock.now(),
});

describe("random runbooks under random policies", () => {
  it("no denied action writes, and rate limits hold", async () => {
    await fc.assert(
      fc.asyncProperty(planArb, async ({ subject, steps, policy, concurrent }) => {
        const rb = RunbookSchema.parse({
          name: "random",
          description: "random plan",
          trigger: { reasons: ["Random"] },
          steps,
          verification: { timeout: "30s" },
          limits: { maxTargets: 2, maxRunsPerSubjectPerHour: 1000 },
        });
        const db = openDb();
        const audit = new AuditLog(db, h.cluster.clock);
        const executor = h.executor({ policy, db, audit, approvalWaitMs: 0 });
        h.cluster.apiServer?.clearRequests();
        const runs = await Promise.all(
          Array.from({ length: concurrent }, (_, i) => executor.run(rb, finding(subject, i))),
        );
        const actions: ActionSummary[] = runs.flat();
        const acted = actions.filter(
          (a) => a.verdict === "allowed" && a.result !== "skipped" && a.result !== "dry_run",
        );
        const writes = (h.cluster.apiServer?.requests() ?? []).filter(
          (r) => r.method !== "GET" && !r.query.includes("dryRun=All"),
        );
        for (const w of writes)
          expect(
            acted.some((a) => touches(w.path, a.target)),
            `${w.method} ${w.path} with no allowed action on it`,
          ).toBe(true);
        if (policy.mode === "dryRunOnly") expect(writes).toEqual([]);

        const applied = audit.list({ limit: 1000 }).filter((r) => r.result === "applied");
        for (const l of policy.rateLimits) {
          if (l.maxTotal !== undefined) expect(applied.length).toBeLessThanOrEqual(l.maxTotal);
          if (l.maxPerTarget !== undefined) {
            const per = new Map<string, number>();
            for (const r of applied) {
              // Per action and target, as the policy counts them.
              const key = `${r.action} ${JSON.stringify(r.target)}`;
              per.set(key, (per.get(key) ?? 0) + 1);
            }
            for (const n of per.values()) expect(n).toBeLessThanOrEqual(l.maxPerTarget);
          }
        }
        expect(executor.gate.inFlight()).toBe(0);
        expect(audit.verify()).toMatchObject({ ok: true });
      }),
      { numRuns: 25 },
    );
  }, 60_000);
});
