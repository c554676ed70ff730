/** Rate limits under concurrent triggers: many async runs race through one gate. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GuardrailGate } from "./gate.ts";
import { evaluate, PolicySchema, type RecentAction } from "./policy.ts";

const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);
const target = { kind: "Deployment", namespace: "shop", name: "worker" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function race(max: number, delays: { apply: number; fails: boolean }[], useGate: boolean) {
  const policy = PolicySchema.parse({
    allowedActions: ["rollout-restart"],
    rateLimits: [{ name: "budget", maxPerTarget: max, window: "1h" }],
  });
  const audit: RecentAction[] = [];
  const gate = new GuardrailGate(policy, () => audit);
  let clock = NOW; // time only moves forward, whichever trigger runs first
  await Promise.all(
    delays.map(async (d) => {
      await sleep(d.apply % 3);
      const now = clock++;
      const req = { action: "rollout-restart", target, namespaceLabels: {}, now };
      const ticket = useGate
        ? gate.admit(req)
        : { verdict: evaluate(policy, { ...req, recent: audit }), commit() {}, release() {} };
      if (!ticket.verdict.allowed) return;
      await sleep(d.apply); // the apply and its verification take time
      if (d.fails) return ticket.release();
      audit.push({ action: "rollout-restart", target, time: now });
      ticket.commit();
    }),
  );
  return { applied: audit.length, inFlight: gate.inFlight() };
}

describe("guardrail gate (properties)", () => {
  it("never applies more than the limit however concurrent triggers interleave", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 4 }),
        fc.array(fc.record({ apply: fc.integer({ min: 0, max: 5 }), fails: fc.boolean() }), {
          minLength: 1,
          maxLength: 100,
        }),
        async (max, delays) => {
          const out = await race(max, delays, true);
          expect(out.applied).toBeLessThanOrEqual(max);
          expect(out.inFlight).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("is needed: without it 100 concurrent triggers overrun a limit of 3", async () => {
    const delays = Array.from({ length: 100 }, () => ({ apply: 5, fails: false }));
    expect((await race(3, delays, false)).applied).toBeGreaterThan(3);
    expect((await race(3, delays, true)).applied).toBe(3);
  });

  it("gives a released place to a later trigger", async () => {
    const policy = PolicySchema.parse({
      allowedActions: ["rollout-restart"],
      rateLimits: [{ name: "budget", maxPerTarget: 1, window: "1h" }],
    });
    const gate = new GuardrailGate(policy, () => []);
    const req = { action: "rollout-restart", target, namespaceLabels: {}, now: NOW };
    const first = gate.admit(req);
    expect(first.verdict.allowed).toBe(true);
    expect(gate.admit(req).verdict.reasons).toEqual([
      "budget: 1 rollout-restart actions on this target within 1h (limit 1)",
    ]);
    first.release();
    expect(gate.admit(req).verdict.allowed).toBe(true);
  });
});
