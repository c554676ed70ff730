/** The real CLI (a child process) on the scan fixtures: output formats and exit codes. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../../../../", import.meta.url).pathname;
const NODE = join(ROOT, "node_modules/.bin/node");
const CASES = "test/cases/scan";

function opsloop(args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      NODE,
      ["bin/opsloop.js", ...args],
      { cwd: ROOT, timeout: 30_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe("opsloop scan", () => {
  it("exits 0 on the clean set and 1 on the bad set, with location, rule, message and fix per finding", async () => {
    const clean = await opsloop(["scan", `${CASES}/clean`]);
    expect(clean).toEqual({
      code: 0,
      stdout: "7 objects in 2 files: 0 findings (0 critical, 0 warning, 0 info)\n",
      stderr: "",
    });
    const bad = await opsloop(["scan", `${CASES}/bad`]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("CRITICAL  api.yaml:2      Deployment/shop/api  privileged\n");
    expect(bad.stdout).toContain("          container api is privileged\n");
    expect(bad.stdout).toContain(
      "WARNING   worker.yaml:26  PodDisruptionBudget/shop/cache  pdb-blocks-eviction",
    );
    expect(bad.stdout).toContain("(2 critical, 17 warning, 6 info)");
    expect(bad.stderr).toBe("opsloop: 19 findings at or above warning\n");
  }, 60_000);

  it("--fail-on sets the threshold: info fails on info-only findings, critical ignores warnings", async () => {
    const info = await opsloop(["scan", "--fail-on", "info", `${CASES}/bad/worker.yaml`]);
    expect(info.code).toBe(1);
    const warn = await opsloop(["scan", `${CASES}/bad/worker.yaml`]);
    expect(warn.code).toBe(1);
    expect(warn.stderr).toBe("opsloop: 1 finding at or above warning\n");
    const crit = await opsloop([
      "scan",
      "--fail-on",
      "critical",
      "--output",
      "json",
      `${CASES}/bad/worker.yaml`,
    ]);
    expect(crit.code).toBe(0);
    const report = JSON.parse(crit.stdout);
    expect(report.summary).toEqual({ total: 3, critical: 0, warning: 1, info: 2 });
    expect(report.findings[0]).toMatchObject({
      file: "worker.yaml",
      line: 26,
      rule: "pdb-blocks-eviction",
    });
  }, 60_000);

  it("prints SARIF and exits 2 on usage errors (no path, a missing path, a bad flag value)", async () => {
    const sarif = await opsloop([
      "scan",
      "--output",
      "sarif",
      "--fail-on",
      "critical",
      `${CASES}/skipped`,
    ]);
    expect(sarif.code).toBe(0);
    expect(JSON.parse(sarif.stdout).version).toBe("2.1.0");
    expect((await opsloop(["scan"])).code).toBe(2);
    const missing = await opsloop(["scan", "no/such/dir"]);
    expect(missing).toMatchObject({
      code: 2,
      stderr: "opsloop: no such file or directory: no/such/dir\n",
    });
    const flag = await opsloop(["scan", "--fail-on", "high", `${CASES}/clean`]);
    expect(flag).toMatchObject({
      code: 2,
      stderr: 'opsloop: --fail-on must be info, warning, critical; got "high"\n',
    });
    expect((await opsloop(["scan", "--output", "xml", `${CASES}/clean`])).code).toBe(2);
  }, 60_000);
});
