import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RULES } from "./rules.ts";
import { atOrAbove, scanPaths, scanText } from "./scan.ts";

const CASES = new URL("../../test/cases/scan/", import.meta.url).pathname;
const row = (f: ReturnType<typeof scanPaths>["findings"][number]) =>
  `${f.file}:${f.line} ${f.object.kind}/${f.object.namespace}/${f.object.name} ${f.rule} ${f.severity}`;

describe("opsloop scan checks", () => {
  it("finds nothing at all in the clean set (a hardened Deployment with Service, PDB, HPA, Ingress, ConfigMap and Secret)", () => {
    const r = scanPaths([`${CASES}clean`]);
    expect(r.files).toBe(2);
    expect(r.objects).toBe(7);
    expect(r.notes).toEqual([]);
    expect(r.findings).toEqual([]);
  });

  it("finds exactly the expected rule, object and line for every problem in the bad set", () => {
    const r = scanPaths([`${CASES}bad`]);
    const expected = JSON.parse(readFileSync(`${CASES}bad.expected.json`, "utf8"));
    expect([...new Set(r.findings.map(row))]).toEqual(expected);
  });

  it("exercises every rule of the catalogue in the bad set, each with a fix", () => {
    const r = scanPaths([`${CASES}bad`]);
    expect(new Set(r.findings.map((f) => f.rule))).toEqual(new Set(RULES.keys()));
    for (const f of r.findings) expect(f.fix.description.length).toBeGreaterThan(10);
  });

  it("names the container, the similar ConfigMap and the fix patch at the template's depth", () => {
    const r = scanPaths([`${CASES}bad`]);
    const conf = r.findings.find(
      (f) => f.rule === "config-ref-missing" && f.message.includes("api-confg"),
    );
    expect(conf?.message).toContain('a similarly named ConfigMap "api-config" exists');
    const priv = r.findings.find((f) => f.rule === "privileged");
    expect(priv?.severity).toBe("critical");
    expect(priv?.fix.patch).toEqual({
      spec: {
        template: {
          spec: { containers: [{ name: "api", securityContext: { privileged: false } }] },
        },
      },
    });
    const sel = r.findings.find((f) => f.rule === "service-selects-nothing");
    expect(sel?.fix.patch).toEqual({ spec: { selector: { app: "api" } } });
    expect(atOrAbove(r.findings, "critical").map((f) => f.rule)).toEqual([
      "added-capabilities",
      "privileged",
    ]);
  });

  it("skips Helm templates, kustomizations and non-objects with a note", () => {
    const r = scanPaths([`${CASES}skipped`]);
    expect(r.objects).toBe(0);
    expect(r.notes).toEqual([
      {
        file: "chart/templates/deployment.yaml",
        note: "Helm template skipped: scan the output of `helm template`",
      },
      {
        file: "kustomization.yaml",
        note: "kustomization skipped: scan the output of `kustomize build`",
      },
      { file: "notes.yaml", line: 2, note: "not a Kubernetes object (no apiVersion/kind)" },
    ]);
  });

  it("gives each item of a List and each YAML document its own start line", () => {
    const json = scanPaths([`${CASES}clean/config.json`]);
    expect(json.objects).toBe(2);
    const text = [
      "apiVersion: v1",
      "kind: List",
      "items:",
      "  - apiVersion: v1",
      "    kind: Pod",
      "    metadata: { name: a }",
      "    spec: { containers: [{ name: c, image: 'x:1', securityContext: { privileged: true } }] }",
      "---",
      "# second document",
      "apiVersion: v1",
      "kind: Pod",
      "metadata: { name: b }",
      "spec: { hostPID: true, containers: [{ name: c, image: x }] }",
    ].join("\n");
    const r = scanText(text, "pods.yaml");
    expect(r.findings.find((f) => f.rule === "privileged")).toMatchObject({
      line: 4,
      object: { name: "a" },
    });
    expect(r.findings.find((f) => f.rule === "host-namespace")).toMatchObject({
      line: 10,
      object: { kind: "Pod", namespace: "default", name: "b" },
      fix: { patch: { spec: { hostPID: false } } },
    });
  });

  it("reports a YAML syntax error as a note instead of failing the scan", () => {
    const r = scanText("apiVersion: v1\nkind: Pod\nmetadata: {name: [\n", "broken.yaml");
    expect(r.findings).toEqual([]);
    expect(r.notes[0]?.note).toMatch(/^not valid YAML: /);
  });

  it("patches a CronJob's container at its own depth and reports a Deployment behind two Services once", () => {
    const text = `apiVersion: batch/v1
kind: CronJob
metadata: { name: report, namespace: ops }
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{ name: run, image: "report:2", securityContext: { privileged: true } }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: "web:1" }] }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec: { selector: { app: web }, ports: [{ port: 80 }] }
---
apiVersion: v1
kind: Service
metadata: { name: web-admin }
spec: { selector: { app: web }, ports: [{ port: 81 }] }
`;
    const r = scanText(text);
    expect(r.findings.find((f) => f.rule === "privileged")?.fix.patch).toEqual({
      spec: {
        jobTemplate: {
          spec: {
            template: {
              spec: { containers: [{ name: "run", securityContext: { privileged: false } }] },
            },
          },
        },
      },
    });
    const probes = r.findings.filter((f) => f.rule === "missing-probes");
    expect(probes.map((f) => f.message)).toEqual([
      "container web is behind Service web but has no readinessProbe or livenessProbe",
    ]);
    // Three replicas and a CronJob: neither is a lone replica.
    expect(r.findings.filter((f) => f.rule === "single-replica-no-pdb")).toEqual([]);
  });
});
