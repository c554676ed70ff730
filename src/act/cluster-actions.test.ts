import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimCluster } from "../sim/cluster.ts";
import { installScenario, loadScenario, scenarioClusterOptions } from "../sim/scenarios/index.ts";
import { loadKubeConfig } from "../sources/kubernetes/kube-source.ts";
import {
  type ClusterActions,
  kubeClusterActions,
  RESTARTED_AT,
  restartPatch,
  rolloutState,
} from "./cluster-actions.ts";

let cluster: SimCluster;
let actions: ClusterActions;

beforeAll(async () => {
  const scenario = loadScenario("demo");
  cluster = new SimCluster(scenarioClusterOptions(scenario));
  await cluster.listen({ port: 0, host: "127.0.0.1" });
  const kubeconfig = join(mkdtempSync(join(tmpdir(), "actions-")), "kubeconfig");
  cluster.writeKubeconfig(kubeconfig);
  installScenario(cluster, scenario);
  cluster.step(60_000);
  actions = kubeClusterActions(loadKubeConfig(kubeconfig));
});

afterAll(() => cluster.close());

const annotations = () =>
  cluster.store.mustGet("deployments.apps", "shop", "worker").spec.template.metadata.annotations;

describe("cluster actions over the Kubernetes API", () => {
  it("reads namespace labels, and reports an unreadable namespace as unknown", async () => {
    expect(await actions.namespaceLabels("payments")).toMatchObject({
      "opsloop.dev/protected": "true",
    });
    expect(await actions.namespaceLabels("no-such-namespace")).toBeUndefined();
  });

  it("dry-runs the restart patch without changing the Deployment, then applies and removes it", async () => {
    const before = cluster.store.mustGet("deployments.apps", "shop", "worker");
    const dry = await actions.patchDeployment(
      "shop",
      "worker",
      restartPatch("2026-01-05T00:01:00Z"),
      true,
    );
    expect(dry.spec?.template.metadata?.annotations?.[RESTARTED_AT]).toBe("2026-01-05T00:01:00Z");
    expect(cluster.store.mustGet("deployments.apps", "shop", "worker")).toBe(before);

    await actions.patchDeployment("shop", "worker", restartPatch("2026-01-05T00:01:00Z"), false);
    expect(annotations()[RESTARTED_AT]).toBe("2026-01-05T00:01:00Z");
    expect(annotations()["sim.opsloop.dev/behaviour"]).toBeDefined();
    await actions.patchDeployment("shop", "worker", restartPatch(null), false);
    expect(annotations()[RESTARTED_AT]).toBeUndefined();
  });

  it("follows the rollout until every replica is new and available", async () => {
    await actions.patchDeployment("shop", "worker", restartPatch("2026-01-05T00:02:00Z"), false);
    expect(rolloutState(await actions.getDeployment("shop", "worker")).done).toBe(false);
    cluster.step(120_000);
    expect(rolloutState(await actions.getDeployment("shop", "worker"))).toEqual({
      done: true,
      message: "successfully rolled out",
    });
  });
});
