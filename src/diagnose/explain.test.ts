import type { LanguageModelV3GenerateResult, LanguageModelV3Prompt } from "@ai-sdk/provider";
import { MockLanguageModelV3 } from "ai/test";
import { describe, expect, it } from "vitest";
import { emptySnapshot } from "../sources/kubernetes/snapshot.ts";
import { Anonymizer, explainFindings } from "./explain.ts";
import { diagnose } from "./index.ts";

function answer(text: string): LanguageModelV3GenerateResult {
  return {
    content: [{ type: "text", text }],
    finishReason: { unified: "stop", raw: undefined },
    usage: {
      inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
      outputTokens: { total: 10, text: 10, reasoning: 0 },
    },
    warnings: [],
  } as LanguageModelV3GenerateResult;
}

async function findings() {
  const snap = emptySnapshot();
  snap.pods.push({
    metadata: { name: "api-1", namespace: "shop", labels: { app: "api" } },
    spec: { containers: [{ name: "api", image: "api:1" }] },
    status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] },
  });
  snap.services.push({
    metadata: { name: "api", namespace: "shop" },
    spec: { selector: { app: "api-server" }, ports: [{ port: 80 }] },
  });
  return diagnose({ snap, now: 0 }, { filter: ["service"] });
}

describe("--explain", () => {
  it("sends the finding fenced and anonymized, and restores the names in the answer", async () => {
    const f = await findings();
    expect(f).toHaveLength(1);
    const prompts: LanguageModelV3Prompt[] = [];
    const model = new MockLanguageModelV3({
      doGenerate: async (options) => {
        prompts.push(options.prompt);
        return answer("Service service-1 in namespace-1 selects no pod; point it at the pods.");
      },
    });
    const out = await explainFindings(f, { model, anonymize: true });
    const sent = JSON.stringify(prompts);
    expect(sent).toContain("untrusted-cluster-data");
    expect(sent).toContain("namespace-1/service-1");
    expect(sent).not.toMatch(/shop/);
    expect(out[f[0]?.id as string]).toBe(
      "Service api in shop selects no pod; point it at the pods.",
    );
  });

  it("replaces whole names only: api is hidden, api-server (a label value) is left alone", () => {
    const a = new Anonymizer([
      {
        id: "x",
        kind: "problem",
        severity: "critical",
        subject: { kind: "Service", namespace: "shop", name: "api" },
        affected: [],
        rootCause: "",
        reason: "NoEndpoints",
        evidence: [],
        confidence: 1,
        source: "diagnose/service",
        time: 0,
      },
    ]);
    expect(a.hide("Service shop/api selects app=api-server")).toBe(
      "Service namespace-1/service-1 selects app=api-server",
    );
    expect(a.reveal("namespace-1/service-1")).toBe("shop/api");
  });
});
