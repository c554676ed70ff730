import { describe, expect, it } from "vitest";
import { dryRunResults, type NodeView, planRule, selectorsMayOverlap } from "./evaluate.ts";
import { type RuleSpec, validateRuleSpec } from "./types.ts";

const NOW = "2026-01-05T00:00:00Z";

function node(
  name: string,
  conditions: Record<string, string>,
  extra: Partial<NodeView> = {},
): NodeView {
  return {
    name,
    labels: { "kubernetes.io/os": "linux", pool: name.startsWith("gpu") ? "gpu" : "general" },
    annotations: {},
    conditions: Object.entries(conditions).map(([type, status]) => ({ type, status })),
    taints: [],
    ...extra,
  };
}

const cniRule: RuleSpec = {
  conditions: [{ type: "network.example.com/CNIReady", requiredStatus: "True" }],
  enforcementMode: "continuous",
  taint: { key: "readiness.k8s.io/network", effect: "NoSchedule" },
  nodeSelector: { matchLabels: { pool: "general" } },
};

describe("NodeReadinessRule evaluation", () => {
  it("taints matching nodes whose condition is missing or wrong and untaints satisfied ones", () => {
    const tainted = { taints: [{ key: "readiness.k8s.io/network", effect: "NoSchedule" }] };
    const plan = planRule(
      "cni",
      cniRule,
      [
        node("a", { "network.example.com/CNIReady": "True" }, tainted),
        node("b", { "network.example.com/CNIReady": "False" }),
        node("c", {}),
        node("gpu-1", {}),
      ],
      NOW,
    );
    expect(plan.decisions.map((d) => [d.node, d.change, d.risky])).toEqual([
      ["a", "remove", false],
      ["b", "add", false],
      ["c", "add", true],
    ]);
    expect(plan.decisions[2]?.evaluation.conditionResults[0]).toEqual({
      type: "network.example.com/CNIReady",
      currentStatus: "Unknown",
      requiredStatus: "True",
      satisfied: false,
      missing: true,
    });
    expect(dryRunResults(plan)).toMatchObject({
      affectedNodes: 3,
      taintsToAdd: 2,
      taintsToRemove: 1,
      riskyOperations: 1,
    });
  });

  it("treats an absent problem condition as its defaultStatus (problem gate)", () => {
    const gate: RuleSpec = {
      ...cniRule,
      conditions: [
        { type: "MaintenanceRequired", requiredStatus: "False", defaultStatus: "False" },
      ],
    };
    const plan = planRule(
      "gate",
      gate,
      [node("a", {}), node("b", { MaintenanceRequired: "True" })],
      NOW,
    );
    expect(plan.decisions.map((d) => [d.node, d.change, d.risky])).toEqual([
      ["a", "none", false],
      ["b", "add", false],
    ]);
  });

  it("completes bootstrap-only rules once and ignores those nodes afterwards", () => {
    const boot: RuleSpec = { ...cniRule, enforcementMode: "bootstrap-only" };
    const ok = { "network.example.com/CNIReady": "True" };
    const first = planRule("cni", boot, [node("a", ok)], NOW);
    expect(first.decisions[0]).toMatchObject({ change: "none", completeBootstrap: true });
    const done = node(
      "a",
      {},
      { annotations: { "readiness.k8s.io/bootstrap-completed-cni": "true" } },
    );
    expect(planRule("cni", boot, [done], NOW)).toEqual({ decisions: [], bootstrapped: ["a"] });
  });

  it("validates specs as the CRD and the upstream webhook do", () => {
    const bad = validateRuleSpec({
      ...cniRule,
      taint: { key: "example.com/network", effect: "NoSchedule" },
      nodeSelector: {},
    });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toMatch(
      /spec\.taint\.key: taint key must start with 'readiness\.k8s\.io\/'/,
    );
    expect(!bad.ok && bad.message).toMatch(/nodeSelector must not be empty/);
    const boot = validateRuleSpec({
      ...cniRule,
      enforcementMode: "bootstrap-only",
      conditions: [{ type: "X", requiredStatus: "False", defaultStatus: "False" }],
    });
    expect(!boot.ok && boot.message).toMatch(
      /defaultStatus is not allowed with enforcementMode bootstrap-only/,
    );
  });

  it("judges selectors disjoint only on a provable contradiction", () => {
    const linux = { matchLabels: { "kubernetes.io/os": "linux" } };
    expect(selectorsMayOverlap(linux, { matchLabels: { pool: "gpu" } })).toBe(true);
    expect(selectorsMayOverlap(linux, { matchLabels: { "kubernetes.io/os": "windows" } })).toBe(
      false,
    );
    expect(
      selectorsMayOverlap(linux, {
        matchExpressions: [{ key: "kubernetes.io/os", operator: "DoesNotExist" }],
      }),
    ).toBe(false);
    expect(
      selectorsMayOverlap(
        { matchExpressions: [{ key: "kubernetes.io/os", operator: "In", values: ["windows"] }] },
        linux,
      ),
    ).toBe(false);
    expect(
      selectorsMayOverlap(
        { matchExpressions: [{ key: "kubernetes.io/os", operator: "Exists" }] },
        linux,
      ),
    ).toBe(true);
  });
});
