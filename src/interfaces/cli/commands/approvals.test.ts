/** The real CLI process against a database an agent wrote approvals into. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ApprovalStore } from "../../../act/approvals/store.ts";
import { AuditLog } from "../../../act/audit.ts";
import { systemClock } from "../../../core/clock.ts";
import { openDb } from "../../../store/sqlite.ts";

const ROOT = new URL("../../../../", import.meta.url).pathname;
const NODE = join(ROOT, "node_modules/.bin/node");

function opsloop(args: string[]) {
  const r = spawnSync(NODE, ["bin/opsloop.js", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function dbWithTwoPending() {
  const dir = mkdtempSync(join(tmpdir(), "approvals-cli-"));
  const file = join(dir, "opsloop.db");
  const db = openDb(file);
  const store = new ApprovalStore({ db, audit: new AuditLog(db, systemClock), clock: systemClock });
  const req = {
    action: "drain",
    target: { kind: "Node", name: "worker-2" },
    reasons: ["needs approval"],
  };
  const a = store.create({ ...req, runId: "run-a", summary: "drain worker-2" });
  const b = store.create({ ...req, runId: "run-b", summary: "drain worker-3" });
  db.close();
  return { dir, file, a: a.approval.id, b: b.approval.id };
}

describe("opsloop approvals and audit export", () => {
  it("lists, approves and rejects, and the export holds every decision with a valid chain", () => {
    const { dir, file, a, b } = dbWithTwoPending();
    const list = opsloop(["approvals", "list", "--db", file, "--output", "json"]);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { id: string }[]).map((x) => x.id).sort()).toEqual(
      [a, b].sort(),
    );

    const ok = opsloop(["approvals", "approve", a, "--db", file, "--actor", "alice"]);
    expect(ok.stderr).toBe("");
    expect(ok.stdout).toMatch(new RegExp(`${a}\\s+approved\\s+drain\\s+Node/worker-2`));
    const no = opsloop([
      "approvals",
      "reject",
      b,
      "--db",
      file,
      "--reason",
      "peak",
      "--actor",
      "bob",
    ]);
    expect(no.code).toBe(0);
    const again = opsloop(["approvals", "approve", b, "--db", file]);
    expect(again).toMatchObject({ code: 1, stdout: "" });
    expect(again.stderr).toBe(`opsloop: approval ${b} is rejected, not pending\n`);

    const out = join(dir, "audit.jsonl");
    expect(opsloop(["audit", "export", "--db", file, "--file", out]).code).toBe(0);
    const lines = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.action, l.actor])).toEqual([
      ["approval-requested", "opsloop/agent"],
      ["approval-requested", "opsloop/agent"],
      ["approval-approved", "alice"],
      ["approval-rejected", "bob"],
    ]);
    expect(opsloop(["audit", "export", "--db", file]).stdout.trim().split("\n")).toHaveLength(4);
    expect(opsloop(["audit", "verify", "--db", file]).stdout).toBe(
      "audit chain verified: 4 records\n",
    );
  });

  it("rejects a policy whose CEL condition does not compile with one line and exit 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "policy-cli-"));
    const bad = join(dir, "bad.yaml");
    writeFileSync(
      bad,
      'allowedActions: [drain]\nrules:\n- name: broken\n  effect: deny\n  condition: "request.action =="\n  reason: x\n',
    );
    const r = opsloop(["policy", "check", bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^opsloop: invalid policy .*rules\.0\.condition \(broken\): does not compile/,
    );
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    const schema = JSON.parse(opsloop(["policy", "schema"]).stdout) as {
      properties: Record<string, unknown>;
    };
    expect(Object.keys(schema.properties).sort()).toEqual(
      [
        "allowedActions",
        "blastRadius",
        "investigator",
        "maintenanceWindows",
        "mode",
        "rateLimits",
        "rules",
      ].sort(),
    );
  });
});
