import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEFAULT_POLICY, evaluate, loadPolicy, parsePolicy, verdictState } from "./policy.ts";

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

  it("holds drains for approval and allows them once approved", () => {
    const node = { kind: "Node", name: "node-c-1" };
    const req = {
      action: "drain",
      target: node,
      namespaceLabels: {},
      blast: { pods: 4, nodes: 1, workloadUnavailableRatio: 0.25, poolUnavailableRatio: 0.25 },
      ...history,
    };
    const held = evaluate(DEFAULT_POLICY, req);
    expect(verdictState(held)).toBe("needs_approval");
    expect(held.reasons).toEqual([
      "disruptive-needs-approval: draining nodes, deleting pods and rolling back need a human's approval",
    ]);
    const ok = evaluate(DEFAULT_POLICY, { ...req, approvedBy: "alice" });
    expect(ok.allowed).toBe(true);
    expect(ok.reasons[0]).toBe("approved by alice");
    // Approval never lifts a denial: half the pool would be unschedulable.
    const wide = evaluate(DEFAULT_POLICY, {
      ...req,
      approvedBy: "alice",
      blast: { ...req.blast, poolUnavailableRatio: 0.5 },
    });
    expect(wide).toMatchObject({ allowed: false, needsApproval: false });
    expect(wide.reasons).toEqual(["default-blast: node pool share unavailable 0.5 exceeds 0.34"]);
    expect(evaluate(DEFAULT_POLICY, { ...req, blast: undefined }).reasons).toContain(
      "default-blast: the blast radius of drain is unknown",
    );
  });

  it("denies pod deletes in env=production namespaces through the CEL rule", () => {
    const pod = { kind: "Pod", namespace: "shop", name: "web-1" };
    const req = {
      action: "delete-pod",
      target: pod,
      blast: { pods: 1, nodes: 0, workloadUnavailableRatio: 0.33 },
      approvedBy: "bob",
      ...history,
    };
    expect(evaluate(DEFAULT_POLICY, { ...req, namespaceLabels: { env: "staging" } }).allowed).toBe(
      true,
    );
    expect(
      evaluate(DEFAULT_POLICY, { ...req, namespaceLabels: { env: "production" } }).reasons,
    ).toEqual([
      "no-pod-deletes-in-production: pods in namespaces labelled env=production are not deleted automatically",
    ]);
  });

  it("confines actions to maintenance windows in their time zone", () => {
    const policy = parsePolicy({
      allowedActions: ["cordon"],
      maintenanceWindows: [
        {
          name: "sat-night",
          schedule: "0 2 * * 6",
          duration: "4h",
          timezone: "Europe/Berlin",
          effect: "allowOnlyInside",
        },
        {
          name: "freeze",
          schedule: "0 3 * * 6",
          duration: "30m",
          timezone: "Europe/Berlin",
          effect: "denyInside",
          actions: ["cordon"],
        },
      ],
    });
    const at = (iso: string) =>
      evaluate(policy, {
        action: "cordon",
        target: { kind: "Node", name: "n1" },
        namespaceLabels: {},
        now: Date.parse(iso),
        recent: [],
      });
    // Saturday 2026-01-10 02:00 in Berlin is 01:00 UTC.
    expect(at("2026-01-10T00:59:00Z").reasons).toEqual([
      "cordon runs only inside maintenance windows (sat-night)",
    ]);
    expect(at("2026-01-10T01:00:00Z").allowed).toBe(true);
    expect(at("2026-01-10T02:10:00Z").reasons).toEqual([
      "freeze: cordon is not allowed during this window",
    ]);
    expect(at("2026-01-10T04:59:00Z").allowed).toBe(true);
    expect(at("2026-01-10T05:00:00Z").allowed).toBe(false);
    expect(
      evaluate(policy, {
        action: "cordon",
        target: { kind: "Node", name: "n1" },
        namespaceLabels: {},
      }).reasons,
    ).toEqual(["maintenance windows apply but the time of the request is unknown"]);
  });

  it("rejects bad durations, cron expressions and time zones with the path of each", () => {
    expect(() =>
      parsePolicy({
        allowedActions: [],
        rateLimits: [{ name: "x", maxPerTarget: 1, window: "soon" }],
        maintenanceWindows: [
          {
            name: "w",
            schedule: "every day",
            duration: "1h",
            timezone: "Mars/Olympus",
            effect: "denyInside",
          },
        ],
      }),
    ).toThrow(
      /rateLimits\.0\.window: a duration such as 30m.*maintenanceWindows\.0\.schedule: a five-field cron.*maintenanceWindows\.0\.timezone: an IANA time zone/,
    );
  });

  it("parses the example policy in docs/policy.md", () => {
    const md = readFileSync(new URL("../../../docs/policy.md", import.meta.url), "utf8");
    const yaml = md.match(/```yaml\n([\s\S]*?)```/)?.[1] ?? "";
    const policy = parsePolicy(parse(yaml), "docs example");
    expect(policy.rules.map((r) => r.name)).toEqual([
      "no-kube-system",
      "no-pod-deletes-in-production",
      "disruptive-needs-approval",
    ]);
    expect(policy.maintenanceWindows[0]?.timezone).toBe("Europe/Berlin");
  });

  it("gives CEL the target object as JSON, so client-node Dates read as timestamps", () => {
    const policy = parsePolicy({
      allowedActions: ["scale"],
      rules: [
        {
          name: "new-deployments",
          effect: "requireApproval",
          condition:
            "timestamp(object.metadata.creationTimestamp) > timestamp('2026-01-05T00:00:00Z') && object.spec.replicas >= 3",
          reason: "deployments younger than the last release are scaled by humans",
        },
      ],
    });
    const req = (created: string, replicas: number) =>
      evaluate(policy, {
        action: "scale",
        target: worker,
        namespaceLabels: {},
        object: { metadata: { creationTimestamp: new Date(created) }, spec: { replicas } },
        ...history,
      });
    expect(verdictState(req("2026-01-05T10:00:00Z", 3))).toBe("needs_approval");
    expect(verdictState(req("2026-01-05T10:00:00Z", 2))).toBe("allowed");
    expect(verdictState(req("2025-12-01T00:00:00Z", 3))).toBe("allowed");
  });
});
