import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import AjvModule from "ajv-draft-04";
import { describe, expect, it } from "vitest";
import { renderScan, scanReport } from "./output.ts";
import { RULES } from "./rules.ts";
import { scanPaths } from "./scan.ts";

const require = createRequire(import.meta.url);
const Ajv = AjvModule.default;
const SCHEMA = JSON.parse(
  readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"),
);
const CASES = new URL("../../test/cases/scan/", import.meta.url).pathname;

function sarifOf(dir: string) {
  return JSON.parse(renderScan(scanReport(scanPaths([`${CASES}${dir}`])), "sarif"));
}

describe("scan SARIF output", () => {
  it("validates against the SARIF 2.1.0 JSON schema, with findings and with skip notes", () => {
    // unicodeRegExp off: the schema's `language` pattern has a stray "]" only non-unicode RegExps accept.
    const validate = new Ajv({
      allErrors: true,
      strict: false,
      unicodeRegExp: false,
      logger: false,
    }).compile(SCHEMA);
    for (const dir of ["bad", "skipped", "clean"]) {
      validate(sarifOf(dir));
      expect(validate.errors ?? []).toEqual([]);
    }
  });

  it("describes every rule and locates each result by file (relative to the scanned root) and line", () => {
    const run = sarifOf("bad").runs[0];
    const rules = run.tool.driver.rules;
    expect(rules.map((r: { id: string }) => r.id)).toEqual([...RULES.keys()]);
    expect(rules[0]).toMatchObject({
      id: "privileged",
      shortDescription: { text: "Container runs privileged" },
      help: { text: expect.stringContaining("privileged: false") },
      defaultConfiguration: { level: "error" },
    });
    const pdb = run.results.find((r: { ruleId: string }) => r.ruleId === "pdb-blocks-eviction");
    expect(pdb.level).toBe("warning");
    expect(rules[pdb.ruleIndex].id).toBe("pdb-blocks-eviction");
    expect(pdb.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: "worker.yaml", uriBaseId: "SRCROOT" },
      region: { startLine: 26 },
    });
    expect(pdb.locations[0].logicalLocations[0].fullyQualifiedName).toBe(
      "shop/PodDisruptionBudget/cache",
    );
    expect(pdb.properties.fix.patch).toEqual({ spec: { minAvailable: null, maxUnavailable: 1 } });
    const notes = sarifOf("skipped").runs[0].invocations[0].toolExecutionNotifications;
    expect(
      notes.map(
        (n: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
          n.locations[0]?.physicalLocation.artifactLocation.uri,
      ),
    ).toEqual(["chart/templates/deployment.yaml", "kustomization.yaml", "notes.yaml"]);
  });
});
