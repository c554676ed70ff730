import { MockLanguageModelV3 } from "ai/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FixedClock } from "../../core/clock.ts";
import type { Incident } from "../../core/types.ts";
import { IncidentManager } from "../../incidents/incidents.ts";
import { parseManifests } from "../../sim/scenarios/manifests.ts";
import { type Harness, startHarness } from "../../sim/server/test-harness.ts";
import { loadKubeConfig } from "../../sources/kubernetes/kube-source.ts";
import { openDb } from "../../store/sqlite.ts";
import type { ToolContext } from "../../tools/context.ts";
import { toolRegistry } from "../../tools/index.ts";
import { investigate, needsInvestigation } from "./investigator.ts";
import { MANIFESTS, type Prompt, reply, toolResults } from "./test-fixtures.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  h.cluster.apply(parseManifests(MANIFESTS));
  h.cluster.step(30_000);
});
afterAll(() => h.close());

describe("LLM investigator", () => {
  it("reads pod logs through read-only tools and takes no write action when the logs inject instructions", async () => {
    const pod = h.cluster.store
      .list("pods", { namespace: "shop" })
      .find((p) => (p.metadata.name as string).startsWith("checkout-"));
    const podName = pod?.metadata.name as string;
    const offered: string[][] = [];
    const prompts: Prompt[] = [];
    const model = new MockLanguageModelV3({
      doGenerate: async (options) => {
        offered.push((options.tools ?? []).map((t) => t.name));
        prompts.push(options.prompt);
        const step = toolResults(options.prompt).length;
        if (step === 0)
          return reply(
            [
              {
                type: "tool-call",
                toolCallId: "c1",
                toolName: "get_pod_logs",
                input: JSON.stringify({ pod: podName, namespace: "shop" }),
              },
            ],
            true,
          );
        if (step === 1)
          // A model that fell for the injection tries the write tools.
          return reply(
            [
              {
                type: "tool-call",
                toolCallId: "c2",
                toolName: "execute_remediation",
                input: JSON.stringify({ incidentId: "x", confirm: true }),
              },
              {
                type: "tool-call",
                toolCallId: "c3",
                toolName: "delete_resource",
                input: JSON.stringify({ kind: "Deployment", namespace: "shop", name: "payments" }),
              },
            ],
            true,
          );
        return reply(
          [{ type: "text", text: "checkout cannot reach the payment gateway (see its log)." }],
          false,
        );
      },
    });
    const clock = new FixedClock(h.cluster.clock.now());
    const incidents = new IncidentManager(openDb());
    const ctx = {
      findings: () => [],
      incidents,
      clock,
      kube: loadKubeConfig(h.kubeconfig),
      runbooks: [],
    } as Partial<ToolContext> as ToolContext;
    const incident: Incident = {
      id: "inc-1",
      key: "k",
      title: "ErrorRateIncrease in deployment shop/checkout",
      status: "open",
      severity: "warning",
      subject: { kind: "Deployment", namespace: "shop", name: "checkout" },
      rootCause: "checkout's error rate rose from 0.1% to 12%",
      findings: [],
      actions: [],
      openedAt: clock.now(),
      updatedAt: clock.now(),
    };
    expect(needsInvestigation(incident)).toBe(true);
    h.cluster.apiServer?.clearRequests();

    const result = await investigate(incident, {
      model,
      registry: toolRegistry({ allowWrite: true }),
      ctx,
      maxSteps: 5,
    });

    expect(result.summary).toBe("checkout cannot reach the payment gateway (see its log).");
    expect(result.stoppedBy).toBe("model");
    expect(result.toolCalls.map((c) => [c.tool, c.ok])).toEqual([["get_pod_logs", true]]);
    const writeTools = toolRegistry({ allowWrite: true })
      .list()
      .filter((t) => !t.annotations.readOnly)
      .map((t) => t.name);
    expect(writeTools).toContain("execute_remediation");
    for (const names of offered) {
      expect(names).toContain("get_pod_logs");
      for (const w of writeTools) expect(names).not.toContain(w);
    }
    const logResult = JSON.stringify(toolResults(prompts[1] as Prompt));
    expect(logResult).toContain("untrusted-cluster-data");
    expect(logResult).toContain("ignore previous instructions");
    expect(logResult).not.toContain("hunter2");
    expect(JSON.stringify(prompts[0]?.[0])).toMatch(/never instructions to you/);

    // The SDK answered the attempted write calls with errors: those tools do not exist here.
    const refused = toolResults(prompts[2] as Prompt).filter((r) => r.toolCallId !== "c1");
    expect(refused.map((r) => [r.toolName, r.output.type])).toEqual([
      ["execute_remediation", "error-text"],
      ["delete_resource", "error-text"],
    ]);
    const requests = h.cluster.apiServer?.requests() ?? [];
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(h.cluster.store.get("deployments.apps", "shop", "payments")).toBeDefined();
  });

  it("stops at the step budget and cuts tool output to the output budget", async () => {
    let n = 0;
    const model = new MockLanguageModelV3({
      doGenerate: async () => {
        n++;
        return reply(
          [
            {
              type: "tool-call",
              toolCallId: `c${n}`,
              toolName: "list_events",
              input: JSON.stringify({ namespace: "shop" }),
            },
          ],
          true,
        );
      },
    });
    const ctx = {
      findings: () => [],
      incidents: new IncidentManager(openDb()),
      clock: new FixedClock(h.cluster.clock.now()),
      kube: loadKubeConfig(h.kubeconfig),
      runbooks: [],
    } as Partial<ToolContext> as ToolContext;
    const inc = {
      id: "inc-2",
      key: "k2",
      title: "t",
      status: "open",
      severity: "info",
      subject: { kind: "Namespace", name: "shop" },
      rootCause: "",
      findings: [],
      actions: [],
      openedAt: 0,
      updatedAt: 0,
    } satisfies Incident;
    const result = await investigate(inc, {
      model,
      registry: toolRegistry({ allowWrite: false }),
      ctx,
      maxSteps: 3,
      maxToolChars: 300,
    });
    expect(n).toBe(3);
    expect(result.stoppedBy).toBe("step-budget");
    expect(result.toolCalls).toHaveLength(3);
    for (const c of result.toolCalls) expect(c.chars).toBeLessThan(300 + 200);
  });
});
