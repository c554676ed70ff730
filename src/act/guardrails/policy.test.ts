import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY, evaluate, loadPolicy } from "./policy.ts";

const worker = { kind: "Deployment", namespace: "shop", name: "worker" };
const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);
const history = { now: NOW, recent: [] };

describe("guardrail policy", () => {
  it("allows a restart in an ordinary namespace", () => {
    const v = evaluate(DEFAULT_POLICY, {
      action: "rollout-restart",
      target: worker,
      namespaceLabels: {},
      ...history,
    });
    expect(v.allowed).toBe(true);
  });

  it("denies any change in kube-system", () => {
    const target = { ...worker, namespace: "kube-system" };
    const v = evaluate(DEFAULT_POLICY, {
      action: "rollout-restart",
      target,
      namespaceLabels: {},
      ...history,
    });
    expect(v).toEqual({
      allowed: false,
      needsApproval: false,
      dryRunOnly: false,
      reasons: ["no-kube-system: changes in kube-system are never automated"],
    });
  });

  it("denies namespaces labelled opsloop.dev/protected=true", () => {
    const v = evaluate(DEFAULT_POLICY, {
      action: "rollout-restart",
      target: worker,
      namespaceLabels: { "opsloop.dev/protected": "true" },
      ...history,
    });
    expect(v.allowed).toBe(false);
    expect(v.reasons[0]).toMatch(/^protected-namespaces:/);
  });

  it("denies when the namespace labels are unknown or the action is not allowed", () => {
    const unknown = evaluate(DEFAULT_POLICY, {
      action: "rollout-restart",
      target: worker,
      namespaceLabels: undefined,
      ...history,
    });
    expect(unknown.reasons).toEqual(["the labels of namespace shop are unknown"]);
    const other = evaluate(DEFAULT_POLICY, {
      action: "delete-pvc",
      target: worker,
      namespaceLabels: {},
      ...history,
    });
    expect(other).toEqual({
      allowed: false,
      needsApproval: false,
      dryRunOnly: false,
      reasons: ["action delete-pvc is not in the policy's allowed actions"],
    });
  });

  it("loads a policy file and rejects unknown keys with the path of the problem", () => {
    const dir = mkdtempSync(join(tmpdir(), "policy-"));
    const good = join(dir, "good.yaml");
    writeFileSync(
      good,
      "allowedActions: [rollout-restart]\nrules:\n- name: no-prod\n  effect: deny\n  match: {namespaces: [prod]}\n  reason: prod is manual\n",
    );
    expect(loadPolicy(good).rules[0]?.name).toBe("no-prod");
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "allowedActions: []\nrules: []\nallowEverything: true\n");
    expect(() => loadPolicy(bad)).toThrow(/invalid policy .*allowEverything|Unrecognized key/);
  });

  it("denies a fourth restart of one target within the hour, and any restart when the history is unknown", () => {
    const at = (minutesAgo: number) => ({
      action: "rollout-restart",
      target: worker,
      time: NOW - minutesAgo * 60_000,
    });
    const other = {
      action: "rollout-restart",
      target: { ...worker, name: "web" },
      time: NOW - 60_000,
    };
    const req = { action: "rollout-restart", target: worker, namespaceLabels: {}, now: NOW };
    expect(
      evaluate(DEFAULT_POLICY, { ...req, recent: [at(50), at(30), other, at(90)] }).allowed,
    ).toBe(true);
    expect(evaluate(DEFAULT_POLICY, { ...req, recent: [at(50), at(30), at(10)] })).toEqual({
      allowed: false,
      needsApproval: false,
      dryRunOnly: false,
      reasons: ["restart-budget: 3 rollout-restart actions on this target within 1h (limit 3)"],
    });
    expect(evaluate(DEFAULT_POLICY, { ...req, recent: undefined }).reasons).toEqual([
      "restart-budget: the history of earlier actions is unknown",
      "per-target-budget: the history of earlier actions is unknown",
    ]);
  });
});
