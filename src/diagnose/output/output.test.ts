import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import AjvModule from "ajv-draft-04";
import { describe, expect, it } from "vitest";
import { emptySnapshot } from "../../sources/kubernetes/snapshot.ts";
import { diagnose } from "../index.ts";
import { buildReport, render } from "./index.ts";

const require = createRequire(import.meta.url);
// CommonJS: module.exports is the class and also carries it as `.default` (what its types describe).
const Ajv = AjvModule.default;
const SCHEMA = JSON.parse(
  readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"),
);

/** A snapshot with three real faults: a Service selecting nothing, an Ingress to a missing Service, a privileged pod. */
function brokenSnapshot() {
  const snap = emptySnapshot();
  const meta = (name: string) => ({ name, namespace: "shop", uid: `uid-${name}` });
  snap.pods.push({
    metadata: { ...meta("api-1"), labels: { app: "api" } },
    spec: {
      containers: [
        {
          name: "api",
          image: "api:1",
          securityContext: { privileged: true },
          ports: [{ containerPort: 8080 }],
        },
      ],
    },
    status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] },
  });
  snap.services.push({
    metadata: meta("api"),
    spec: { selector: { app: "api-server" }, ports: [{ port: 80, targetPort: 8080 }] },
  });
  snap.ingresses.push({
    metadata: meta("web"),
    spec: {
      rules: [
        {
          host: "shop.example.com",
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: "web", port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    },
  });
  return snap;
}

async function report() {
  const now = Date.parse("2026-11-28T12:00:00Z");
  const findings = await diagnose({ snap: brokenSnapshot(), now }, { all: true });
  return buildReport(findings, {
    now,
    analyzers: ["service", "ingress", "security"],
    context: "test",
  });
}

describe("diagnose output", () => {
  it("SARIF output validates against the SARIF 2.1.0 JSON schema", async () => {
    const r = await report();
    expect(r.findings.length).toBe(3);
    const sarif = JSON.parse(render(r, "sarif"));
    // unicodeRegExp off: the schema's `language` pattern has a stray "]" only non-unicode RegExps accept.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    const validate = ajv.compile(SCHEMA);
    const ok = validate(sarif);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    const results = sarif.runs[0].results;
    expect(results.map((x: { ruleId: string }) => x.ruleId).sort()).toEqual([
      "ingress/IngressServiceNotFound",
      "security/InsecurePodSpec",
      "service/NoEndpoints",
    ]);
    expect(results.find((x: { level: string }) => x.level === "error")).toBeDefined();
  });

  it("the schema rejects a SARIF log without its version, so the validation above has teeth", () => {
    const ajv = new Ajv({ strict: false, unicodeRegExp: false });
    expect(ajv.validate(SCHEMA, { runs: [] })).toBe(false);
  });

  it("JSON orders findings by severity and counts them", async () => {
    const r = JSON.parse(render(await report(), "json"));
    expect(r.kind).toBe("DiagnoseReport");
    expect(r.summary).toEqual({ critical: 2, warning: 1, info: 0, total: 3 });
    expect(r.findings.map((f: { severity: string }) => f.severity)).toEqual([
      "critical",
      "critical",
      "warning",
    ]);
  });

  it("the table gives each finding its root cause and fix, without colour unless asked", async () => {
    const text = render(await report(), "table");
    expect(text).toContain("CRITICAL  Service/shop/api");
    expect(text).toContain(
      "selects app=api-server, which matches no pod; the nearest pods carry app=api",
    );
    expect(text).toContain("3 findings: 2 critical, 1 warning, 0 info");
    expect(text).not.toContain("\x1b[");
    expect(render(await report(), "table", { colour: true })).toContain("\x1b[31m");
  });

  it("Markdown escapes names and shows the fix command", async () => {
    const text = render(await report(), "markdown");
    expect(text).toContain("### 🔴 Ingress/shop/web: IngressServiceNotFound");
    expect(text).toContain("kubectl -n shop patch service api");
  });
});
