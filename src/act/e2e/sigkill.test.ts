/**
 * The agent is a real child process, killed with SIGKILL in the middle of a drain (evictions
 * held by PodDisruptionBudgets, 429s). Restarted, it finds the interrupted run in SQLite and
 * resumes it; the audit chain still verifies with `opsloop audit verify`.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimCluster } from "../../sim/cluster.ts";
import { startScenario } from "../../sim/scenarios/harness.ts";
import { openDb } from "../../store/sqlite.ts";
import { RunStore } from "../runs/run-store.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;
const NODE = join(ROOT, "node_modules/.bin/node");
const CHILD = new URL("./agent-child.ts", import.meta.url).pathname;
const PDBS = "poddisruptionbudgets.policy";

let cluster: SimCluster;
let kubeconfig: string;
let dbFile: string;
beforeAll(async () => {
  cluster = startScenario("node-degradation", { tickMs: 1_000 }).cluster;
  await cluster.listen({ port: 0, host: "127.0.0.1" });
  const dir = mkdtempSync(join(tmpdir(), "sigkill-"));
  kubeconfig = join(dir, "kubeconfig");
  dbFile = join(dir, "opsloop.db");
  cluster.writeKubeconfig(kubeconfig);
  cluster.step(60_000);
});
afterAll(async () => {
  cluster.stop();
  await cluster.close();
});

function startChild(): { child: ChildProcess; out: () => string; exit: Promise<number | null> } {
  const child = spawn(NODE, [CHILD, kubeconfig, dbFile, "node-c-1"], { cwd: ROOT });
  let out = "";
  child.stdout?.on("data", (b) => {
    out += String(b);
  });
  child.stderr?.on("data", (b) => {
    out += String(b);
  });
  const exit = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return { child, out: () => out, exit };
}

const runs = () => {
  const db = openDb(dbFile);
  try {
    return new RunStore(db).list();
  } finally {
    db.close();
  }
};

async function waitFor(pred: () => boolean, ms: number, what: string) {
  const until = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("SIGKILL in the middle of a drain", () => {
  it("resumes the interrupted run after a restart and the audit chain verifies", async () => {
    // Every budget at 100 pods: each eviction answers 429 until the budgets are restored.
    const saved = cluster.store
      .list(PDBS)
      .map((p) => [p.metadata.namespace, p.metadata.name as string, p.spec.minAvailable] as const);
    for (const [ns, name] of saved)
      cluster.store.mutate(PDBS, ns, name, (p) => {
        p.spec.minAvailable = 100;
      });
    cluster.start();
    const first = startChild();
    const blocked = () =>
      (cluster.apiServer?.requests() ?? []).some(
        (r) => r.path.endsWith("/eviction") && r.status === 429 && !r.query.includes("dryRun"),
      );
    await waitFor(
      () => blocked() && runs()[0]?.phase === "apply",
      60_000,
      `a blocked drain\n${first.out()}`,
    );
    first.child.kill("SIGKILL");
    await first.exit;
    const interrupted = runs()[0];
    expect(interrupted).toMatchObject({ runbook: "node-drain", status: "running", phase: "apply" });
    expect(cluster.store.mustGet("nodes", undefined, "node-c-1").spec.unschedulable).toBe(true);

    for (const [ns, name, min] of saved)
      cluster.store.mutate(PDBS, ns, name, (p) => {
        p.spec.minAvailable = min;
      });
    const second = startChild();
    const code = await second.exit;
    expect(code, second.out()).toBe(0);
    expect(second.out()).toContain('"recovered":["drain:applied"]');
    const after = runs().find((r) => r.id === interrupted?.id);
    expect(after).toMatchObject({ status: "succeeded", phase: "done" });
    // The incident was remediated once: the restarted agent did not start a second drain.
    expect(runs()).toHaveLength(1);
    const left = cluster.store
      .list("pods")
      .filter(
        (p) =>
          p.spec.nodeName === "node-c-1" &&
          p.metadata.ownerReferences?.[0]?.kind !== "DaemonSet" &&
          !["Failed", "Succeeded"].includes(p.status?.phase),
      );
    expect(left).toEqual([]);

    const verify = spawnSync(NODE, ["bin/opsloop.js", "audit", "verify", "--db", dbFile], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    const list = spawnSync(
      NODE,
      ["bin/opsloop.js", "audit", "list", "--db", dbFile, "--output", "json"],
      { cwd: ROOT, encoding: "utf8" },
    );
    expect(list.stdout).toContain("run-recovered");
  }, 120_000);
});
