/** Runs the real kubectl against a simulated cluster, with its own kubeconfig and discovery cache. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { SimCluster } from "../src/sim/cluster.ts";

const run = promisify(execFile);

export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number;
}

export class Kubectl {
  readonly dir: string;
  readonly kubeconfig: string;
  constructor(cluster: SimCluster) {
    this.dir = mkdtempSync(join(tmpdir(), "opsloop-kubectl-"));
    this.kubeconfig = join(this.dir, "kubeconfig");
    cluster.writeKubeconfig(this.kubeconfig);
  }

  async run(
    args: string[],
    opts: { input?: string; timeoutMs?: number } = {},
  ): Promise<KubectlResult> {
    const full = ["--kubeconfig", this.kubeconfig, "--cache-dir", join(this.dir, "cache"), ...args];
    try {
      const child = run("kubectl", full, {
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 16 << 20,
      });
      if (opts.input !== undefined) {
        child.child.stdin?.end(opts.input);
      }
      const { stdout, stderr } = await child;
      return { stdout, stderr, code: 0 };
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; code?: number };
      return {
        stdout: err.stdout ?? "",
        stderr: err.stderr ?? "",
        code: typeof err.code === "number" ? err.code : 1,
      };
    }
  }

  /** Like run, but throws with kubectl's stderr when it fails. */
  async ok(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
    const r = await this.run(args, opts);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
