import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../core/types.ts";
import { DEFAULT_POLICY, parsePolicy } from "../guardrails/policy.ts";
import { parseRunbook } from "../runbook.ts";
import { type ActHarness, startActHarness } from "./harness.ts";

let h: ActHarness;
beforeAll(async () => {
  h = await startActHarness("oom-kill", { tickMs: 2_000 });
});
afterAll(async () => h.close());

// A "fix" that points the worker at an image tag the registry does not have: the new pods never
// start, the rollout never completes, and verification must roll it back.
const WORSE = `
name: worse-fix
description: A fix that makes things worse.
trigger: { reasons: [OOMKilled] }
steps:
  - action: patch
    params:
      patch: { spec: { template: { spec: { containers: [{ name: worker, image: "registry.example/worker:does-not-exist" }] } } } }
verification: { timeout: 3m, interval: 5s }
`;

describe("a fix that makes things worse", () => {
  it("is rolled back when its verification fails, and the audit says so", async () => {
    const before = h.cluster.store.mustGet("deployments.apps", "batch", "worker");
    const policy = parsePolicy({
      ...DEFAULT_POLICY,
      allowedActions: [...DEFAULT_POLICY.allowedActions, "patch"],
    });
    const f: Finding = {
      id: "f",
      kind: "problem",
      severity: "critical",
      subject: { kind: "Deployment", namespace: "batch", name: "worker" },
      affected: [],
      rootCause: "OOMKilled",
      reason: "OOMKilled",
      evidence: [],
      confidence: 0.9,
      source: "test",
      time: 0,
    };
    const [a] = await h.executor({ policy }).run(parseRunbook(WORSE, "worse-fix.yaml"), f);
    expect(a).toMatchObject({ action: "patch", verdict: "allowed", result: "rolled_back" });
    const after = h.cluster.store.mustGet("deployments.apps", "batch", "worker");
    expect(after.spec.template).toEqual(before.spec.template);
    const record = h.audit.list().at(-1);
    expect(record?.result).toBe("rolled_back");
    expect(String((record?.details as { verify?: string } | undefined)?.verify)).toMatch(
      /not verified after 180000 ms/,
    );
    expect(record?.details).toMatchObject({ rollback: "restored the previous spec" });
    const run = h.executor().runs.get(a!.runId);
    expect(run).toMatchObject({ status: "rolled_back", phase: "done" });
  }, 60_000);

  it("is rolled back when a metric bound fails, even though the rollout completed", async () => {
    const policy = parsePolicy({
      ...DEFAULT_POLICY,
      allowedActions: [...DEFAULT_POLICY.allowedActions, "patch"],
    });
    const rb = parseRunbook(
      `name: label-fix
description: A harmless change verified by the error rate.
trigger: { reasons: [HighErrorRate] }
steps:
  - action: patch
    params: { patch: { spec: { template: { metadata: { labels: { fixed: "yes" } } } } } }
verification:
  timeout: 1m
  metrics:
    - { query: 'sum(rate(http_requests_total{code=~"5.."}[1m]))', max: 0.5 }
`,
      "label-fix.yaml",
    );
    const queries: string[] = [];
    // The metrics reader is an injected dependency (a Prometheus client in production).
    const metrics = async (q: string) => {
      queries.push(q);
      return 3.2;
    };
    const f = {
      id: "e",
      kind: "problem" as const,
      severity: "critical" as const,
      subject: { kind: "Deployment", namespace: "batch", name: "worker" },
      affected: [],
      rootCause: "errors",
      reason: "HighErrorRate",
      evidence: [],
      confidence: 0.9,
      source: "test",
      time: 0,
    };
    h.cluster.store.mutate("deployments.apps", "batch", "worker", (d) => {
      d.spec.replicas = 0;
    });
    await h.advance(10_000);
    const [a] = await h.executor({ policy, metrics }).run(rb, f);
    expect(a).toMatchObject({ result: "rolled_back" });
    expect(queries[0]).toBe('sum(rate(http_requests_total{code=~"5.."}[1m]))');
    expect(
      String((h.audit.list().at(-1)?.details as { verify?: string } | undefined)?.verify),
    ).toContain("= 3.2 is outside [-inf, 0.5]");
    const labels = h.cluster.store.mustGet("deployments.apps", "batch", "worker").spec.template
      .metadata.labels;
    expect(labels.fixed).toBeUndefined();
  }, 60_000);
});
