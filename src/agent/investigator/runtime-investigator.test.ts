import type { LanguageModelV3CallOptions } from "@ai-sdk/provider";
import { MockLanguageModelV3 } from "ai/test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_POLICY, PolicySchema } from "../../act/guardrails/policy.ts";
import type { Incident } from "../../core/types.ts";
import { parseManifests } from "../../sim/scenarios/manifests.ts";
import { type Harness, startHarness } from "../../sim/server/test-harness.ts";
import { type Alert, alertToSignal } from "../../sources/alertmanager/payload.ts";
import { toolRegistry } from "../../tools/index.ts";
import { type Runtime, startRuntime } from "../runtime.ts";
import { call, MANIFESTS, reply, toolResults } from "./test-fixtures.ts";

/** The shop, and a cart whose ConfigMap is missing: a rule explains that one. */
const WITH_CART = `${MANIFESTS}
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: cart, namespace: shop }
spec:
  replicas: 1
  selector: { matchLabels: { app: cart } }
  template:
    metadata: { labels: { app: cart } }
    spec:
      containers:
        - name: cart
          image: ghcr.io/acme/cart:1.0.0
          envFrom: [{ configMapRef: { name: cart-config } }]
`;

const ALERT: Alert = {
  status: "firing",
  labels: {
    alertname: "CheckoutErrorBudgetBurn",
    namespace: "shop",
    deployment: "checkout",
    severity: "critical",
  },
  annotations: { description: "checkout burns its error budget 14x too fast" },
  startsAt: "2026-01-05T10:00:00Z",
};

let h: Harness;
let rt: Runtime | undefined;
beforeEach(async () => {
  h = await startHarness();
  h.cluster.apply(parseManifests(WITH_CART));
  h.cluster.step(30_000);
});
afterEach(async () => {
  await rt?.close();
  await h.close();
});

const waitFor = async <T>(get: () => T | undefined, ms = 30_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
};

type Options = LanguageModelV3CallOptions;

/** Starts the runtime with `model`, fires the alert and waits for its incident's investigation. */
async function investigateAlert(model: MockLanguageModelV3, policy = DEFAULT_POLICY) {
  rt = await startRuntime({
    kubeconfig: h.kubeconfig,
    clock: h.cluster.clock,
    intervalMs: 100,
    metricsUrl: false,
    nodeReadiness: false,
    policy,
    investigator: { model, maxSteps: 4, maxOutputTokens: 256 },
  });
  const r = rt;
  // The cart's missing ConfigMap is a rule's diagnosis: it must not be sent to the model.
  await waitFor(() => r.incidents.list().find((i) => i.subject.name === "cart"));
  h.cluster.apiServer?.clearRequests();
  r.incidents.ingestAlerts([alertToSignal(ALERT)], r.clock.now());
  const checkout = (i: Incident) => i.subject.name === "checkout";
  return waitFor(() => r.incidents.list().find((i) => checkout(i) && i.investigation));
}

describe("LLM investigator in the runtime", () => {
  it("investigates an incident no rule explains once, read-only, within its budgets, and stores the conclusion", async () => {
    const pod = h.cluster.store
      .list("pods", { namespace: "shop" })
      .find((p) => (p.metadata.name as string).startsWith("checkout-"));
    const calls: Options[] = [];
    const model = new MockLanguageModelV3({
      doGenerate: async (options) => {
        calls.push(options);
        const step = toolResults(options.prompt).length;
        if (step === 0)
          return reply(
            [call("c1", "get_pod_logs", { pod: pod?.metadata.name, namespace: "shop" })],
            true,
          );
        if (step === 1)
          // A model that fell for the planted log line tries to act.
          return reply(
            [
              call("c2", "execute_remediation", { incidentId: "x", confirm: true }),
              call("c3", "acknowledge_incident", { id: "x", by: "llm" }),
            ],
            true,
          );
        return reply([{ type: "text", text: "checkout cannot reach the payment gateway." }], false);
      },
    });
    const inc = await investigateAlert(model);
    expect(inc.investigation).toMatchObject({
      summary: "checkout cannot reach the payment gateway.",
      stoppedBy: "model",
      toolCalls: [{ tool: "get_pod_logs", ok: true }],
    });
    const offered = calls[0]?.tools?.map((t) => t.name) ?? [];
    expect(offered).toContain("get_pod_logs");
    for (const w of ["execute_remediation", "acknowledge_incident", "approve_action"])
      expect(offered).not.toContain(w);
    expect(calls.every((c) => c.maxOutputTokens === 256)).toBe(true);
    expect(JSON.stringify(toolResults(calls[1]?.prompt ?? []))).toContain(
      "ignore previous instructions",
    );

    // Later cycles and repeated alerts do not ask again; the rule-diagnosed incident never was.
    const r = rt as Runtime;
    const ticks = r.metrics.counterValue("opsloop_ticks_total");
    r.incidents.ingestAlerts([alertToSignal(ALERT)], r.clock.now());
    await waitFor(() =>
      r.metrics.counterValue("opsloop_ticks_total") >= ticks + 5 ? 1 : undefined,
    );
    await r.investigator?.idle();
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => JSON.stringify(c.prompt)).join()).not.toContain("cart-config");
    expect(
      r.incidents.list().find((i) => i.subject.name === "cart")?.investigation,
    ).toBeUndefined();
    const writes = (h.cluster.apiServer?.requests() ?? []).filter((q) => q.method !== "GET");
    expect(writes).toEqual([]);

    const out = (await toolRegistry({ allowWrite: false }).call(r.ctx, "get_incident", {
      id: inc.id,
    })) as { investigation?: { summary: string } };
    expect(out.investigation?.summary).toBe("checkout cannot reach the payment gateway.");
  }, 60_000);

  it("offers a write tool only when the policy names it, and the call goes through the tool's own path", async () => {
    const calls: Options[] = [];
    const model = new MockLanguageModelV3({
      doGenerate: async (options) => {
        calls.push(options);
        const inc = rt?.incidents.list().find((i) => i.subject.name === "checkout");
        if (toolResults(options.prompt).length === 0)
          return reply(
            [call("c1", "execute_remediation", { incidentId: inc?.id, confirm: true })],
            true,
          );
        return reply([{ type: "text", text: "no runbook applies; a human must look." }], false);
      },
    });
    const policy = PolicySchema.parse({
      ...DEFAULT_POLICY,
      investigator: { writeTools: ["execute_remediation", "approve_action"] },
    });
    const inc = await investigateAlert(model, policy);
    const offered = calls[0]?.tools?.map((t) => t.name) ?? [];
    expect(offered).toContain("execute_remediation");
    expect(offered).not.toContain("approve_action");
    expect(offered).not.toContain("acknowledge_incident");
    // No runbook matches the alert: the executor (and its guardrails) is the only way to act.
    expect(inc.investigation?.toolCalls).toEqual([{ tool: "execute_remediation", ok: false }]);
    expect(JSON.stringify(toolResults(calls[1]?.prompt ?? []))).toContain(
      `no runbook matches incident ${inc.id}`,
    );
    expect(inc.actions).toEqual([]);
  }, 60_000);
});
