import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Finding } from "../core/types.ts";
import { loadRunbooks, matches, parseRunbook, runbookJsonSchema } from "./runbook.ts";

const finding = (over: Partial<Finding>): Finding => ({
  id: "f",
  kind: "problem",
  severity: "critical",
  subject: { kind: "Deployment", namespace: "shop", name: "api" },
  affected: [],
  rootCause: "",
  reason: "CrashLoopBackOff",
  evidence: [],
  confidence: 0.9,
  source: "diagnose/crash",
  time: 0,
  ...over,
});

describe("runbooks", () => {
  it("ships one built-in runbook per simulator fault, each valid", () => {
    expect(loadRunbooks().map((r) => r.name)).toEqual([
      "bad-rollout-undo",
      "cleanup-failed-pods",
      "node-drain",
      "node-predicted-failure",
      "notify-only",
      "oom-predicted-restart",
      "oom-raise-memory-limit",
      "prescale-min-replicas",
      "prescale-restore-min-replicas",
      "traffic-scale-in",
      "traffic-scale-out",
    ]);
  });

  it("reports every problem with the file and the path", () => {
    const dir = mkdtempSync(join(tmpdir(), "rb-"));
    writeFileSync(
      join(dir, "bad.yaml"),
      [
        "name: Bad_Name",
        "description: x",
        "trigger: { reasons: [] }",
        "steps:",
        "  - action: explode",
        "  - action: scale",
        "    params: { replicas: -1 }",
        "verification: { conditions: [{ expr: 'object.spec.replicas >' }] }",
        "extra: 1",
      ].join("\n"),
    );
    let message = "";
    try {
      loadRunbooks(dir);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(`invalid runbook ${join(dir, "bad.yaml")}`);
    expect(message).toContain("name:");
    expect(message).toContain("trigger.reasons:");
    expect(message).toContain("steps.0.action:");
    expect(message).toMatch(/Unrecognized key.*extra/);
  });

  it("checks action parameters and CEL at load time", () => {
    const base = "name: x\ndescription: x\ntrigger: { reasons: [A] }\n";
    expect(() =>
      parseRunbook(`${base}steps: [{ action: scale, params: { replicas: -1 } }]`, "x.yaml"),
    ).toThrow(/steps\.0\.params\.replicas/);
    expect(() =>
      parseRunbook(
        `${base}steps: [{ action: notify }]\npreconditions: [{ expr: "nope(" }]`,
        "x.yaml",
      ),
    ).toThrow(/preconditions\.0\.expr: does not compile/);
  });

  it("matches on reason, finding kind, analyzer, subject kind and confidence", () => {
    const undo = loadRunbooks().find((r) => r.name === "bad-rollout-undo")!;
    expect(matches(undo, finding({}))).toBe(true);
    expect(matches(undo, finding({ kind: "prediction" }))).toBe(false);
    expect(matches(undo, finding({ subject: { kind: "Node", name: "n" } }))).toBe(false);
    expect(matches(undo, finding({ confidence: 0.1 }))).toBe(false);
    const rb = parseRunbook(
      "name: x\ndescription: x\ntrigger: { reasons: [CrashLoopBackOff], analyzers: [diagnose/probes] }\nsteps: [{ action: notify }]",
      "x",
    );
    expect(matches(rb, finding({}))).toBe(false);
  });

  it("publishes a JSON schema of the input format", () => {
    const schema = runbookJsonSchema() as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining([
        "trigger",
        "preconditions",
        "steps",
        "verification",
        "rollback",
        "limits",
      ]),
    );
    expect(schema.required).toEqual(["name", "description", "trigger", "steps"]);
  });

  it("docs/runbook.schema.json is the current schema (opsloop runbooks schema)", () => {
    const published = readFileSync(
      new URL("../../docs/runbook.schema.json", import.meta.url),
      "utf8",
    );
    expect(JSON.parse(published)).toEqual(runbookJsonSchema());
  });
});
