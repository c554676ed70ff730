/**
 * Property-based tests of `evaluate`: for random policies and requests, an independent oracle
 * decides which rules match, and the verdict must never be more permissive than the oracle.
 * CEL conditions are generated from a small grammar whose truth the oracle computes in JS.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { GuardrailRequest, Policy, RecentAction } from "./policy.ts";
import { evaluate, KNOWN_ACTIONS, PolicySchema } from "./policy.ts";

const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);
const ACTIONS: string[] = [...KNOWN_ACTIONS];
const NAMESPACES = ["shop", "payments", "kube-system", "default"];
const LABELS = ["env", "team", "tier"];
const VALUES = ["production", "staging", "a", "b"];
const NAMES = ["web", "api", "worker", "node-1"];

type Atom =
  | { t: "action"; v: string }
  | { t: "ns"; v: string }
  | { t: "label"; k: string; v: string }
  | { t: "pods"; n: number };
type Cond = { atom: Atom } | { op: "&&" | "||"; a: Cond; b: Cond } | { not: Cond };

const atom: fc.Arbitrary<Atom> = fc.oneof(
  fc.record({ t: fc.constant("action" as const), v: fc.constantFrom(...ACTIONS) }),
  fc.record({ t: fc.constant("ns" as const), v: fc.constantFrom(...NAMESPACES) }),
  fc.record({
    t: fc.constant("label" as const),
    k: fc.constantFrom(...LABELS),
    v: fc.constantFrom(...VALUES),
  }),
  fc.record({ t: fc.constant("pods" as const), n: fc.integer({ min: 0, max: 30 }) }),
);
const cond: fc.Arbitrary<Cond> = fc.letrec<{ c: Cond }>((tie) => ({
  c: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({ atom }),
    fc.record({ op: fc.constantFrom("&&" as const, "||" as const), a: tie("c"), b: tie("c") }),
    fc.record({ not: tie("c") }),
  ),
})).c;

function celOf(c: Cond): string {
  if ("atom" in c) {
    const a = c.atom;
    if (a.t === "action") return `request.action == '${a.v}'`;
    if (a.t === "ns") return `request.namespace == '${a.v}'`;
    if (a.t === "label") return `namespaceLabels[?'${a.k}'].orValue('') == '${a.v}'`;
    return `blast.pods > ${a.n}`;
  }
  if ("not" in c) return `!(${celOf(c.not)})`;
  return `(${celOf(c.a)}) ${c.op} (${celOf(c.b)})`;
}

function truth(c: Cond, r: GuardrailRequest): boolean {
  if ("atom" in c) {
    const a = c.atom;
    if (a.t === "action") return r.action === a.v;
    if (a.t === "ns") return (r.target.namespace ?? "") === a.v;
    if (a.t === "label") return (r.namespaceLabels?.[a.k] ?? "") === a.v;
    return (r.blast?.pods ?? 0) > a.n;
  }
  if ("not" in c) return !truth(c.not, r);
  return c.op === "&&" ? truth(c.a, r) && truth(c.b, r) : truth(c.a, r) || truth(c.b, r);
}

const request: fc.Arbitrary<GuardrailRequest> = fc.record({
  action: fc.constantFrom(...ACTIONS, "delete-pvc", "exec"),
  target: fc.record({
    kind: fc.constantFrom("Deployment", "Pod", "Node"),
    namespace: fc.constantFrom(...NAMESPACES),
    name: fc.constantFrom(...NAMES),
  }),
  namespaceLabels: fc.dictionary(fc.constantFrom(...LABELS), fc.constantFrom(...VALUES)),
  blast: fc.record({
    pods: fc.integer({ min: 0, max: 40 }),
    nodes: fc.integer({ min: 0, max: 3 }),
  }),
  now: fc.constant(NOW),
  recent: fc.constant([] as RecentAction[]),
});

const rule = fc.record({
  effect: fc.constantFrom("deny" as const, "requireApproval" as const),
  cond,
  actions: fc.option(fc.subarray(ACTIONS, { minLength: 1 }), { nil: undefined }),
});

const policy = fc.record({
  allowedActions: fc.subarray(ACTIONS),
  rules: fc.array(rule, { maxLength: 4 }),
  mode: fc.constantFrom("enforce" as const, "dryRunOnly" as const),
});

type RuleGen = { effect: "deny" | "requireApproval"; cond: Cond; actions: string[] | undefined };
type PolicyGen = { allowedActions: string[]; rules: RuleGen[]; mode: "enforce" | "dryRunOnly" };

function build(p: PolicyGen): Policy {
  return PolicySchema.parse({
    mode: p.mode,
    allowedActions: p.allowedActions,
    rules: p.rules.map((r, i) => ({
      name: `r${i}`,
      effect: r.effect,
      ...(r.actions ? { match: { actions: r.actions } } : {}),
      condition: celOf(r.cond),
      reason: `rule ${i}`,
    })),
  });
}

const matches = (r: RuleGen, req: GuardrailRequest) =>
  (r.actions === undefined || r.actions.includes(req.action)) && truth(r.cond, req);

describe("evaluate (properties)", () => {
  it("never allows a request that a deny rule matches or whose action is not allowed, and holds approvals", () => {
    fc.assert(
      fc.property(policy, request, fc.boolean(), (p, req, approved) => {
        const r = approved ? { ...req, approvedBy: "alice" } : req;
        const v = evaluate(build(p), r);
        const denyHit = p.rules.some((x) => x.effect === "deny" && matches(x, r));
        const approvalHit = p.rules.some((x) => x.effect === "requireApproval" && matches(x, r));
        const unknown = !p.allowedActions.includes(r.action);
        if (denyHit || unknown)
          expect(v).toMatchObject({ allowed: false, needsApproval: false, dryRunOnly: false });
        else if (approvalHit && !approved)
          expect(v).toMatchObject({ allowed: false, needsApproval: true });
        else if (p.mode === "dryRunOnly")
          expect(v).toMatchObject({ allowed: false, dryRunOnly: true });
        else expect(v.allowed).toBe(true);
        expect(v.reasons.length).toBeGreaterThan(0);
      }),
      { numRuns: 400 },
    );
  });

  it("denies whenever a matching rule's CEL is malformed or fails at run time", () => {
    const broken = fc.oneof(
      fc.constantFrom(
        "request.action ==",
        "request.action == 'x' &&",
        "namespaceLabels['no-such-label'] == 'x'",
        "object.spec.replicas > 1",
        "unknownVariable == 1",
        "1 + 1",
        "'a' < 1",
        "request.nope == 'x'",
      ),
      fc.string({ maxLength: 30 }).filter((s) => s.trim().length > 0),
    );
    fc.assert(
      fc.property(
        broken,
        request,
        fc.constantFrom("deny" as const, "requireApproval" as const),
        (expr, req, effect) => {
          const p = PolicySchema.parse({
            allowedActions: ACTIONS,
            rules: [{ name: "odd", effect, condition: expr, reason: "odd" }],
          });
          const v = evaluate(p, req);
          // A random string may happen to be valid CEL that is false: then nothing matched.
          const denied = !v.allowed && !v.needsApproval;
          const wellFormedFalse = v.allowed || v.reasons.every((x) => !x.startsWith("odd:"));
          expect(denied || wellFormedFalse).toBe(true);
          if (/condition failed/.test(v.reasons.join())) expect(denied).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
    for (const expr of [
      "request.action ==",
      "namespaceLabels['no-such-label'] == 'x'",
      "1 + 1",
      "unknownVariable == 1",
    ]) {
      const p = PolicySchema.parse({
        allowedActions: ACTIONS,
        rules: [{ name: "odd", effect: "requireApproval", condition: expr, reason: "odd" }],
      });
      const v = evaluate(p, {
        action: "scale",
        target: { kind: "Deployment", namespace: "shop", name: "web" },
        namespaceLabels: {},
        now: NOW,
        recent: [],
      });
      expect(v).toMatchObject({ allowed: false, needsApproval: false });
      expect(v.reasons[0]).toMatch(/^odd: condition failed \(.+\), denying$/);
    }
  });

  it("lets at most maxPerTarget actions through per window however the triggers arrive", () => {
    const windowMs = 3_600_000;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.array(
          fc.record({
            at: fc.integer({ min: 0, max: 6 * windowMs }),
            name: fc.constantFrom("web", "api"),
          }),
          { minLength: 1, maxLength: 100 },
        ),
        (max, triggers) => {
          const p = PolicySchema.parse({
            allowedActions: ["rollout-restart"],
            rateLimits: [{ name: "budget", maxPerTarget: max, window: "1h" }],
          });
          const applied: RecentAction[] = [];
          for (const t of [...triggers].sort((a, b) => a.at - b.at)) {
            const target = { kind: "Deployment", namespace: "shop", name: t.name };
            const v = evaluate(p, {
              action: "rollout-restart",
              target,
              namespaceLabels: {},
              now: NOW + t.at,
              recent: applied,
            });
            if (v.allowed) applied.push({ action: "rollout-restart", target, time: NOW + t.at });
          }
          for (const a of applied) {
            const inWindow = applied.filter(
              (b) =>
                b.target.name === a.target.name && b.time > a.time - windowMs && b.time <= a.time,
            );
            expect(inWindow.length).toBeLessThanOrEqual(max);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("one incident firing 100 times at once yields at most the allowed number of actions", () => {
    const p = PolicySchema.parse({
      allowedActions: ["drain"],
      rateLimits: [{ name: "drains", maxTotal: 2, window: "1h" }],
    });
    const applied: RecentAction[] = [];
    const target = { kind: "Node", name: "node-c-1" };
    for (let i = 0; i < 100; i++) {
      const v = evaluate(p, {
        action: "drain",
        target,
        namespaceLabels: {},
        now: NOW + i,
        recent: applied,
      });
      if (v.allowed) applied.push({ action: "drain", target, time: NOW + i });
    }
    expect(applied).toHaveLength(2);
  });

  it("never allows past the per-hour blast radius", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50 }),
        fc.array(
          fc.record({
            pods: fc.integer({ min: 0, max: 20 }),
            ago: fc.integer({ min: 0, max: 7_200_000 }),
          }),
          { maxLength: 10 },
        ),
        fc.integer({ min: 0, max: 20 }),
        (maxPods, history, pods) => {
          const p = PolicySchema.parse({
            allowedActions: ["delete-pod"],
            blastRadius: [{ name: "hourly", maxPodsPerHour: maxPods }],
          });
          const target = { kind: "Pod", namespace: "shop", name: "web-1" };
          const recent = history.map((h) => ({
            action: "delete-pod",
            target,
            time: NOW - h.ago,
            pods: h.pods,
          }));
          const v = evaluate(p, {
            action: "delete-pod",
            target,
            namespaceLabels: {},
            blast: { pods, nodes: 0 },
            now: NOW,
            recent,
          });
          const used = recent
            .filter((r) => r.time > NOW - 3_600_000)
            .reduce((s, r) => s + (r.pods ?? 0), 0);
          expect(v.allowed).toBe(used + pods <= maxPods);
        },
      ),
      { numRuns: 300 },
    );
  });
});
