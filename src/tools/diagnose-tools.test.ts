import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../core/types.ts";
import { CASES_DIR } from "../diagnose/cases.ts";
import { SimSession } from "../diagnose/sim-run.ts";
import { SimCluster } from "../sim/cluster.ts";
import { parseManifests } from "../sim/scenarios/manifests.ts";
import { KubeSource } from "../sources/kubernetes/kube-source.ts";
import type { ToolContext } from "./context.ts";
import { allTools } from "./index.ts";
import { ToolRegistry } from "./registry.ts";

const registry = new ToolRegistry(allTools());
let session: SimSession;
let source: KubeSource;
let ctx: ToolContext;

/** A default-deny NetworkPolicy in front of Service shop/api (corpus case s-netpol-deny-all-service). */
beforeAll(async () => {
  session = await SimSession.start(new SimCluster({ tickMs: 2_000 }));
  const text = readFileSync(join(CASES_DIR, "s-netpol-deny-all-service", "manifests.yaml"), "utf8");
  await session.apply(parseManifests(text));
  session.cluster.step(120_000);
  source = new KubeSource(session.kc);
  await source.start();
  ctx = {
    findings: () => [],
    clock: session.cluster.clock,
    snapshot: () => source.snapshot(),
    readLog: source.readLog,
  } as Partial<ToolContext> as ToolContext;
});

afterAll(async () => {
  await source?.stop();
  await session?.close();
});

describe("diagnose tools", () => {
  it("list_problems runs a diagnosis on the live snapshot, filtered by namespace", async () => {
    const out = (await registry.call(ctx, "list_problems", { namespace: "shop" })) as {
      problems: Finding[];
    };
    expect(out.problems.map((f) => `${f.reason} ${f.subject.kind}/${f.subject.name}`)).toEqual([
      "IngressDenied NetworkPolicy/default-deny",
    ]);
    const other = (await registry.call(ctx, "list_problems", { namespace: "payments" })) as {
      problems: Finding[];
    };
    expect(other.problems).toEqual([]);
  });

  it("diagnose_object finds the problem from the Service it affects and from the Deployment owning the pods", async () => {
    for (const obj of [
      { kind: "Service", namespace: "shop", name: "api" },
      { kind: "Deployment", namespace: "shop", name: "api" },
    ]) {
      const out = (await registry.call(ctx, "diagnose_object", obj)) as { problems: Finding[] };
      expect(out.problems.map((f) => f.reason)).toContain("IngressDenied");
    }
    const none = (await registry.call(ctx, "diagnose_object", {
      kind: "Node",
      name: "node-a-1",
    })) as { problems: Finding[] };
    expect(none.problems).toEqual([]);
  });

  it("diagnose_object is unavailable without a cluster snapshot; list_problems falls back to the loop's findings", async () => {
    const bare = {
      findings: () => [],
      clock: session.cluster.clock,
    } as Partial<ToolContext> as ToolContext;
    await expect(
      registry.call(bare, "diagnose_object", { kind: "Service", namespace: "shop", name: "api" }),
    ).rejects.toThrow(/needs a cluster connection/);
    expect(await registry.call(bare, "list_problems", {})).toMatchObject({
      problems: [],
      truncated: false,
    });
  });
});
