/** The real CLI (a child process) against the service-no-endpoints scenario's API server. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimCluster } from "../../../sim/cluster.ts";
import { startScenario } from "../../../sim/scenarios/harness.ts";

const ROOT = new URL("../../../../", import.meta.url).pathname;
const NODE = join(ROOT, "node_modules/.bin/node");
let cluster: SimCluster;
let dir: string;
let kubeconfig: string;

// Asynchronous: the simulator's API server runs in this process and must keep serving.
function opsloop(args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      NODE,
      ["bin/opsloop.js", ...args],
      { cwd: ROOT, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  cluster = startScenario("service-no-endpoints", { tickMs: 5_000 }).cluster;
  await cluster.listen({ port: 0, host: "127.0.0.1" });
  dir = mkdtempSync(join(tmpdir(), "diagnose-cli-"));
  kubeconfig = join(dir, "kubeconfig");
  cluster.writeKubeconfig(kubeconfig);
  cluster.step(2 * 60_000);
});

afterAll(async () => {
  await cluster?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("opsloop diagnose", () => {
  it("prints the root cause and fix as a table and exits 1 when problems are found", async () => {
    const r = await opsloop(["diagnose", "--kubeconfig", kubeconfig]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("CRITICAL  Service/shop/api  NoEndpoints");
    expect(r.stdout).toContain(
      "selects app=api-server, which matches no pod; the nearest pods carry app=api",
    );
    expect(r.stdout).toContain(
      `fix: kubectl -n shop patch service api -p '{"spec":{"selector":{"app":"api"}}}'`,
    );
    expect(r.stdout).not.toContain("\x1b[");
    expect(r.stderr).toBe("opsloop: 1 problem found\n");
  }, 60_000);

  it("prints the documented JSON report; a namespace without problems exits 0", async () => {
    const r = await opsloop([
      "diagnose",
      "--kubeconfig",
      kubeconfig,
      "--output",
      "json",
      "--filter",
      "service",
    ]);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      apiVersion: "opsloop.dev/v1",
      kind: "DiagnoseReport",
      analyzers: ["service"],
      summary: { critical: 1, warning: 0, info: 0, total: 1 },
    });
    expect(report.findings[0]).toMatchObject({
      reason: "NoEndpoints",
      subject: { kind: "Service", namespace: "shop", name: "api" },
      source: "diagnose/service",
      fix: { patch: { spec: { selector: { app: "api" } } } },
    });
    const quiet = await opsloop(["diagnose", "--kubeconfig", kubeconfig, "-n", "kube-system"]);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toBe("No problems found.\n");
  }, 60_000);

  it("exits 2 with one line for usage errors", async () => {
    for (const args of [
      ["--filter", "nope"],
      ["--output", "yaml"],
      ["-n", "shop", "-A"],
      ["--context", "missing"],
    ]) {
      const r = await opsloop(["diagnose", "--kubeconfig", kubeconfig, ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
  }, 60_000);

  it("exits 2 and names the server when the cluster cannot be listed, never 'No problems found'", async () => {
    // A port that was just free: connections to it are refused.
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, "127.0.0.1", () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const dead = join(dir, "dead-kubeconfig");
    writeFileSync(
      dead,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters: [{name: dead, cluster: {server: 'http://127.0.0.1:" + port + "'}}]",
        "users: [{name: u, user: {token: t}}]",
        "contexts: [{name: dead, context: {cluster: dead, user: u}}]",
        "current-context: dead",
      ].join("\n"),
    );
    const r = await opsloop(["diagnose", "--kubeconfig", dead, "--timeout", "20"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      new RegExp(`^opsloop: cannot list anything from http://127\\.0\\.0\\.1:${port}: .+\\n$`),
    );
  }, 60_000);
});
