/** End to end: the real CLI process runs the simulator and the agent over HTTP. */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import type { DemoSummary } from "./demo-output.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;
const NODE = join(ROOT, "node_modules/.bin/node");

function opsloop(args: string[], timeout = 120_000) {
  const r = spawnSync(NODE, ["bin/opsloop.js", ...args], { cwd: ROOT, encoding: "utf8", timeout });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("opsloop demo", () => {
  it("diagnoses the missing ConfigMap, predicts the OOMs before they happen and acts within policy", () => {
    const db = join(mkdtempSync(join(tmpdir(), "demo-")), "opsloop.db");
    const run = opsloop(["demo", "--for", "36s", "--speed", "60", "--output", "json", "--db", db]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as DemoSummary;
    const find = (reason: string, name: string) =>
      summary.incidents.find((i) => i.findings[0]?.reason === reason && i.subject.name === name);

    const api = find("CreateContainerConfigError", "api");
    expect(api?.subject).toMatchObject({ kind: "Deployment", namespace: "shop" });
    expect(api?.rootCause).toContain('ConfigMap "api-config" does not exist in namespace shop');

    const worker = find("OOMPredicted", "worker");
    expect(worker?.findings[0]?.eta).toBeDefined();
    // On a loaded machine the restart may come late enough for the incident to reopen, keeping
    // the earlier episode's findings: what matters is that the opening predicted an OOM ahead.
    const etas = (worker?.findings ?? []).map((f) => Date.parse(f.eta ?? ""));
    expect(Date.parse(worker?.openedAt ?? "")).toBeLessThan(Math.max(...etas));
    expect(worker?.actions[0]).toMatchObject({
      runbook: "oom-predicted-restart",
      action: "rollout-restart",
      verdict: "allowed",
      result: "applied",
    });

    const ledger = find("OOMPredicted", "ledger");
    expect(ledger?.actions[0]).toMatchObject({ verdict: "denied", result: "skipped" });
    const killed = find("OOMKilled", "ledger");
    // When the demo's last minute sees the leak's next prediction, the incident is reopened (a
    // recurrence): its first opening is the earliest episode's.
    const firstOpened = ledger?.previous?.[0]?.openedAt ?? ledger?.openedAt ?? "";
    expect(Date.parse(firstOpened)).toBeLessThan(Date.parse(killed?.openedAt ?? ""));

    const auditIds = [worker?.actions[0]?.auditId, ledger?.actions[0]?.auditId];
    expect(auditIds.every((id) => typeof id === "string" && id.length > 0)).toBe(true);
    expect(summary.audit.verification.ok).toBe(true);

    expect(opsloop(["audit", "verify", "--db", db])).toMatchObject({ code: 0 });
    const raw = new DatabaseSync(db);
    raw.exec("DROP TRIGGER audit_no_update");
    raw.exec(
      `UPDATE audit SET body = replace(body, '"denied"', '"applied"') WHERE body LIKE '%"denied"%'`,
    );
    raw.close();
    const tampered = opsloop(["audit", "verify", "--db", db]);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toMatch(
      /^opsloop: audit chain broken at record \d+: record content was altered\n$/,
    );
  }, 150_000);

  it("rejects bad input with a one-line error and exit code 2", () => {
    const bad = opsloop(["demo", "--output", "xml"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('opsloop: --output must be text, json or table; got "xml"\n');
    const unknown = opsloop(["demo", "--scenario", "nope", "--for", "1s"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split("\n")).toHaveLength(1);
    expect(unknown.stderr).toMatch(/no scenario "nope"/);
  });
});
