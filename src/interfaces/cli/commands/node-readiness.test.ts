/** The real CLI and real kubectl against the node-degradation scenario's API server. */
import { execFile, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimCluster } from "../../../sim/cluster.ts";
import { startScenario } from "../../../sim/scenarios/harness.ts";
import { openDb } from "../../../store/sqlite.ts";

const ROOT = new URL("../../../../", import.meta.url).pathname;
const NODE = join(ROOT, "node_modules/.bin/node");
let cluster: SimCluster;
let dir: string;
let kubeconfig: string;

// Asynchronous: the simulator's API server runs in this process and must keep serving.
function run(file: string, args: string[], input?: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(file, args, { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}
const opsloop = (args: string[]) => run(NODE, ["bin/opsloop.js", ...args]);
const kubectl = (args: string[], input?: string) =>
  run(
    "/usr/bin/kubectl",
    ["--kubeconfig", kubeconfig, "--cache-dir", join(dir, "cache"), ...args],
    input,
  );

beforeAll(async () => {
  cluster = startScenario("node-degradation", { tickMs: 5_000 }).cluster;
  await cluster.listen({ port: 0, host: "127.0.0.1" });
  dir = mkdtempSync(join(tmpdir(), "nrr-cli-"));
  kubeconfig = join(dir, "kubeconfig");
  cluster.writeKubeconfig(kubeconfig);
  cluster.step(60_000);
});
afterAll(() => cluster.close());

describe("opsloop node-readiness", () => {
  it("prints manifests kubectl applies, and taints a node whose detector reports the problem", async () => {
    const crd = await opsloop(["node-readiness", "manifests", "crd"]);
    expect(crd.code).toBe(0);
    const applied = await kubectl(["apply", "-f", "-"], crd.stdout);
    expect(applied.stderr).toBe("");
    expect(applied.stdout).toBe(
      "customresourcedefinition.apiextensions.k8s.io/nodereadinessrules.readiness.node.x-k8s.io created\n",
    );
    const rule = await kubectl(
      ["apply", "-f", "-"],
      (await opsloop(["node-readiness", "manifests", "rule"])).stdout,
    );
    expect(rule.stdout).toBe(
      "nodereadinessrule.readiness.node.x-k8s.io/opsloop-predictive-isolation created\n",
    );
    expect((await opsloop(["node-readiness", "manifests", "everything"])).stderr).toBe(
      'opsloop: manifests: which is crd, rule or all; got "everything"\n',
    );
    expect((await kubectl(["get", "nrr", "-o", "name"])).stdout).toBe(
      "nodereadinessrule.readiness.node.x-k8s.io/opsloop-predictive-isolation\n",
    );

    // What Node Problem Detector (or opsloop's prediction) would report on the node.
    cluster.store.mutate("nodes", undefined, "node-c-1", (d) => {
      d.status.conditions = [
        ...(d.status.conditions ?? []),
        {
          type: "opsloop.dev/PredictedFailure",
          status: "True",
          reason: "NodeFailurePredicted",
          message: "test",
        },
      ];
    });
    const db = join(dir, "opsloop.db");
    openDb(db).close();
    const out = await opsloop([
      "node-readiness",
      "reconcile",
      "--kubeconfig",
      kubeconfig,
      "--db",
      db,
      "--output",
      "json",
    ]);
    expect(out.stderr).toBe("");
    expect(JSON.parse(out.stdout)).toEqual({
      rules: [
        {
          rule: "opsloop-predictive-isolation",
          dryRun: false,
          added: ["node-c-1"],
          removed: [],
          bootstrapCompleted: [],
          failed: [],
        },
      ],
    });
    const taints = await kubectl([
      "get",
      "node",
      "node-c-1",
      "-o",
      "jsonpath={.spec.taints[*].key}",
    ]);
    expect(taints.stdout).toContain("readiness.k8s.io/opsloop-predicted-failure");
    const table = await opsloop(["node-readiness", "reconcile", "--kubeconfig", kubeconfig]);
    expect(table.stdout).toMatch(
      /^RULE\s+MODE\s+TAINTED\s+UNTAINTED\s+FAILED\s+PROBLEM\nopsloop-predictive-isolation\s+enforced\s+-\s+-\s+-\n$/,
    );
    expect((await opsloop(["audit", "verify", "--db", db])).stdout).toBe(
      "audit chain verified: 1 records\n",
    );
  });

  it("keeps enforcing with --every until SIGINT", async () => {
    const child = spawn(
      NODE,
      [
        "bin/opsloop.js",
        "node-readiness",
        "reconcile",
        "--kubeconfig",
        kubeconfig,
        "--every",
        "200ms",
        "--output",
        "json",
      ],
      { cwd: ROOT },
    );
    let out = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
    });
    const lines = () => out.split("\n").filter(Boolean);
    const deadline = Date.now() + 30_000;
    while (lines().length < 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    // The detector clears the problem: the running enforcer lifts the taint on a later pass.
    cluster.store.mutate("nodes", undefined, "node-c-1", (d) => {
      d.status.conditions = (d.status.conditions ?? []).filter(
        (c: { type: string }) => c.type !== "opsloop.dev/PredictedFailure",
      );
    });
    while (!out.includes('"removed":["node-c-1"]') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    const passes = lines().map((l) => JSON.parse(l) as { rules: { removed: string[] }[] });
    expect(passes.length).toBeGreaterThanOrEqual(2);
    expect(passes.some((p) => p.rules[0]?.removed.includes("node-c-1"))).toBe(true);
  });
});
