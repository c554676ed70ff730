/**
 * No secret value in plans, approvals, audit records, run state or outputs: a finding whose
 * root cause quotes a password and an AWS key, and a fix that writes credentials into a
 * Deployment's env, through approval, dry run, apply and verification; the plan and the
 * propose_remediation proposal of that fix; the runtime's error log.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRuntime } from "../../agent/runtime.ts";
import type { Finding } from "../../core/types.ts";
import type { ToolContext } from "../../tools/context.ts";
import { ToolRegistry } from "../../tools/registry.ts";
import { LOOP_TOOLS } from "../../tools/tools.ts";
import { DEFAULT_POLICY, parsePolicy } from "../guardrails/policy.ts";
import { parseRunbook } from "../runbook.ts";
import { type ActHarness, autoApprove, startActHarness } from "./harness.ts";

const PASSWORD = "hunter2-s3cr3t-value";
const AWS_KEY = "AKIAIOSFODNN7EXAMPLE";
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

let h: ActHarness;
beforeAll(async () => {
  h = await startActHarness("traffic-surge", { tickMs: 2_000 });
});
afterAll(async () => h.close());

const ROTATE = `
name: rotate-credentials
description: Writes new credentials into the web env (a fix that carries secrets).
trigger: { reasons: [AuthFailed] }
steps:
  - action: patch
    params:
      patch:
        spec:
          template:
            spec:
              containers:
                - name: web
                  env:
                    - { name: DB_PASSWORD, value: "${PASSWORD}" }
                    - { name: AWS_ACCESS_KEY_ID, value: "${AWS_KEY}" }
                    - { name: AWS_SECRET_ACCESS_KEY, value: "${AWS_SECRET}" }
`;

const POLICY = () =>
  parsePolicy({
    ...DEFAULT_POLICY,
    allowedActions: [...DEFAULT_POLICY.allowedActions, "patch"],
    rules: [
      ...DEFAULT_POLICY.rules,
      {
        name: "patch-approval",
        effect: "requireApproval",
        match: { actions: ["patch"] },
        reason: "patches need a human",
      },
    ],
  });

const finding = (): Finding => ({
  id: "auth",
  kind: "problem",
  severity: "critical",
  subject: { kind: "Deployment", namespace: "shop", name: "web" },
  affected: [],
  rootCause: `login failed: password=${PASSWORD} rejected for key ${AWS_KEY}`,
  reason: "AuthFailed",
  evidence: [{ type: "log", text: `AWS_SECRET_ACCESS_KEY=${AWS_SECRET}` }],
  confidence: 0.9,
  source: "test",
  time: 0,
});

const leaks = (text: string) => [PASSWORD, AWS_KEY, AWS_SECRET].filter((x) => text.includes(x));

describe("secrets never leave the cluster", () => {
  it("keeps passwords and AWS keys out of the plan and the propose_remediation proposal", async () => {
    const rb = parseRunbook(ROTATE, "rotate.yaml");
    const executor = h.executor({ policy: POLICY() });
    const plan = JSON.stringify(await executor.plan(rb, finding()));
    expect(leaks(plan)).toEqual([]);
    // The env entries are still there, names kept, values masked.
    expect(plan).toContain('"name":"DB_PASSWORD","value":"[REDACTED]"');
    expect(plan).toContain('"name":"AWS_ACCESS_KEY_ID","value":"[REDACTED]"');

    const incident = h.incidents.ingest([finding()], h.cluster.clock.now())[0]?.incident;
    const ctx = {
      incidents: h.incidents,
      executor,
      runbooks: [rb],
      audit: h.audit,
      clock: h.cluster.clock,
    } as Partial<ToolContext> as ToolContext;
    const proposal = await new ToolRegistry(LOOP_TOOLS).call(ctx, "propose_remediation", {
      incidentId: incident?.id,
    });
    expect(proposal).toMatchObject({ runbook: "rotate-credentials", action: "patch" });
    expect(leaks(JSON.stringify(proposal))).toEqual([]);
    expect(h.audit.list()).toEqual([]);
  });

  it("keeps passwords and AWS keys out of summaries, approvals, audit and run state", async () => {
    const policy = POLICY();
    const f = finding();
    const approve = autoApprove(h, "alice");
    const executor = h.executor({ policy, approvalPollMs: 1_000 });
    const actions = await executor.run(parseRunbook(ROTATE, "rotate.yaml"), f);
    approve();
    expect(actions).toMatchObject([{ action: "patch", result: "applied" }]);
    // The cluster got the credentials: the fix really carried them.
    const env = h.cluster.store.mustGet("deployments.apps", "shop", "web").spec.template.spec
      .containers[0].env;
    expect(env.find((e: { name: string }) => e.name === "DB_PASSWORD")?.value).toBe(PASSWORD);

    // The run keeps its runbook and snapshot as written (resume and rollback need them, like the
    // cluster's own copy); everything else in it is redacted.
    const {
      snapshot: _kept,
      spec: _runbook,
      ...run
    } = executor.runs.get(actions[0]!.runId)! as ReturnType<typeof executor.runs.get> & {
      spec?: unknown;
    };
    const surfaces = [
      JSON.stringify(actions),
      [...h.audit.exportLines()].join("\n"),
      JSON.stringify(h.approvals.list()),
      JSON.stringify(run),
    ].join("\n");
    for (const secret of [PASSWORD, AWS_KEY, AWS_SECRET]) expect(surfaces).not.toContain(secret);
    expect(surfaces).toContain("[REDACTED]");
    expect(h.audit.verify()).toMatchObject({ ok: true });
  }, 60_000);

  it("keeps credentials in a failing scrape URL out of the runtime's error log", async () => {
    const rt = await startRuntime({
      kubeconfig: h.kubeconfig,
      clock: h.cluster.clock,
      intervalMs: 20,
      nodeReadiness: false,
      metricsUrl: `http://scraper:${PASSWORD}@127.0.0.1:9/metrics?access_key=${AWS_KEY}`,
    });
    try {
      rt.start();
      for (let i = 0; i < 200 && !rt.errors().some((e) => e.startsWith("scrape")); i++)
        await new Promise((r) => setTimeout(r, 10));
      const log = rt.errors().join("\n");
      expect(log).toMatch(/^scrape: cannot scrape http:\/\/scraper:\[REDACTED\]@/m);
      expect(leaks(log)).toEqual([]);
    } finally {
      await rt.close();
    }
  }, 30_000);
});
