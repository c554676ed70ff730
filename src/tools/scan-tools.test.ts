import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FixedClock } from "../core/clock.ts";
import { isOpsloopError } from "../core/errors.ts";
import type { ToolContext } from "./context.ts";
import { allTools } from "./index.ts";
import { ToolRegistry } from "./registry.ts";

const registry = new ToolRegistry(allTools());
const CASES = new URL("../../test/cases/", import.meta.url).pathname;
const ctx = {
  findings: () => [],
  clock: new FixedClock(0),
  scanRoot: CASES,
} as Partial<ToolContext> as ToolContext;
const outside = mkdtempSync(join(tmpdir(), "scan-tool-"));

afterAll(() => rmSync(outside, { recursive: true, force: true }));

const POD = `apiVersion: v1
kind: Pod
metadata: { name: p, namespace: ns }
spec:
  containers:
    - name: app
      image: app
      env:
        - { name: AWS_SECRET_ACCESS_KEY, value: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY }
      securityContext: { privileged: true }
`;

async function denied(input: unknown, scanRoot = CASES): Promise<string> {
  try {
    await registry.call({ ...ctx, scanRoot }, "scan_manifests", input);
  } catch (e) {
    if (isOpsloopError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
  return "allowed";
}

describe("scan_manifests tool", () => {
  it("is registered read-only and scans manifest text, never echoing env values", async () => {
    const tool = registry.get("scan_manifests");
    expect(tool.annotations).toMatchObject({ readOnly: true, destructive: false });
    const out = (await registry.call(ctx, "scan_manifests", {
      manifests: POD,
      minSeverity: "critical",
    })) as { findings: { rule: string; file: string; line: number }[]; summary: { total: number } };
    expect(out.findings).toEqual([
      expect.objectContaining({ rule: "privileged", file: "manifests.yaml", line: 1 }),
    ]);
    expect(out.summary.total).toBeGreaterThan(1);
    expect(JSON.stringify(out)).not.toContain("wJalrXUtnFEMI");
  });

  it("scans a path under the scan root, names files relative to it, and cuts to the limit", async () => {
    const out = (await registry.call(ctx, "scan_manifests", { path: "scan/bad", limit: 3 })) as {
      findings: { file: string }[];
      truncated: boolean;
      summary: { total: number };
    };
    expect(out.findings).toHaveLength(3);
    expect(out.findings[0]?.file).toBe("scan/bad/api.yaml");
    expect(out.truncated).toBe(true);
    expect(out.summary.total).toBe(25);
  });

  it("refuses paths outside the scan root, symlinks out of it, and ambiguous input", async () => {
    writeFileSync(join(outside, "pod.yaml"), POD);
    expect(await denied({ path: outside })).toMatch(/^denied: .* is outside the scan root/);
    expect(await denied({ path: "../../../../etc" })).toMatch(/^denied: /);
    // A symlink inside the root pointing out of it is judged by where it leads.
    const root = mkdtempSync(join(tmpdir(), "scan-root-"));
    symlinkSync(outside, join(root, "link-out"));
    try {
      expect(await denied({ path: "link-out" }, root)).toMatch(/^denied: /);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    expect(await denied({})).toMatch(/^invalid_input: .*exactly one of manifests or path/);
    expect(await denied({ manifests: POD, path: "scan" })).toMatch(/^invalid_input: /);
    expect(await denied({ path: "scan/nope" })).toMatch(/^invalid_input: no such file/);
  });
});
