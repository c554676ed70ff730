/** `opsloop sim` as a real process, used by the real kubectl through the kubeconfig it writes. */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = new URL("../../../", import.meta.url).pathname;
const NODE = join(ROOT, "node_modules/.bin/node");
let child: ChildProcess | undefined;

afterEach(() => {
  child?.kill("SIGKILL");
  child = undefined;
});

function waitForOutput(p: ChildProcess, pattern: RegExp, ms = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in: ${out}`)), ms);
    p.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
  });
}

describe("opsloop sim", () => {
  it("serves the scenario to kubectl until interrupted", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-cli-"));
    const kubeconfig = join(dir, "kubeconfig");
    child = spawn(
      NODE,
      ["bin/opsloop.js", "sim", "--scenario", "demo", "--kubeconfig", kubeconfig],
      { cwd: ROOT },
    );
    const out = await waitForOutput(child, /try: kubectl/);
    expect(out).toMatch(/^API server: http:\/\/127\.0\.0\.1:\d+\n/);
    const kubectl = (...args: string[]) =>
      execFileSync(
        "/usr/bin/kubectl",
        ["--kubeconfig", kubeconfig, "--cache-dir", join(dir, "cache"), ...args],
        { encoding: "utf8" },
      );
    const deployments = kubectl(
      "get",
      "deployments",
      "-A",
      "-o",
      "jsonpath={.items[*].metadata.name}",
    );
    expect(deployments.split(" ").sort()).toEqual(["api", "ledger", "web", "worker"]);
    expect(
      kubectl(
        "get",
        "namespace",
        "payments",
        "-o",
        "jsonpath={.metadata.labels.opsloop\\.dev/protected}",
      ),
    ).toBe("true");
    const exited = new Promise<number | null>((r) => child?.on("exit", (code) => r(code)));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
  }, 40_000);
});
