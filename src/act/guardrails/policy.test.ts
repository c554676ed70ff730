import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY, evaluate, loadPolicy } from "./policy.ts";

const worker = { kind: "Deployment", namespace: "shop", name: "worker" };

describe("guardrail policy", () => {
  it("allows a restart in an ordinary namespace", () => {
    const v = evaluate(DEFAULT_POLICY, {
      action: "rollout-restart",
      target: worker,
      namespaceLabels: {},
    });
    expect(v.allowed).toBe(true);
  });

  it("denies any change in kube-system", () => {
    const target = { ...worker, namespace: "kube-system" };
    const v = evaluate(DEFAULT_POLICY, { action: "rollout-restart", target, namespaceLabels: {} });
    expect(v).toEqual({
      allowed: false,
      reasons: ["no-kube-system: changes in kube-system are never automated"],
    });
  });

  it("denies namespaces labelled opsloop.dev/protected=true", () => {
    const v = evaluate(DEFAULT_POLICY, {
      action: "rollout-restart",
      target: worker,
      namespaceLabels: { "opsloop.dev/protected": "true" },
    });
    expect(v.allowed).toBe(false);
    expect(v.reasons[0]).toMatch(/^protected-namespaces:/);
  });

  it("denies when the namespace labels are unknown or the action is not allowed", () => {
    const unknown = evaluate(DEFAULT_POLICY, {
      action: "rollout-restart",
      target: worker,
      namespaceLabels: undefined,
    });
    expect(unknown.reasons).toEqual(["the labels of namespace shop are unknown"]);
    const other = evaluate(DEFAULT_POLICY, {
      action: "delete-pvc",
      target: worker,
      namespaceLabels: {},
    });
    expect(other).toEqual({
      allowed: false,
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
});
