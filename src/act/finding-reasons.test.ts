import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { anomalyReason } from "../detect/live/subject.ts";
import { analyzeNodes } from "../diagnose/analyzers/nodes.ts";
import { CASES_DIR, type CaseExpectation, listCases } from "../diagnose/cases.ts";
import { emptySnapshot } from "../sources/kubernetes/snapshot.ts";
import { PRODUCED_REASONS } from "./finding-reasons.ts";
import { loadRunbooks } from "./runbook.ts";

const overlaps = (want: readonly string[] | undefined, have: readonly string[]) =>
  !want || want.some((w) => have.includes(w));

describe("runbook triggers name findings that some producer emits", () => {
  it("every built-in trigger reason is produced, with a matching finding kind and subject kind", () => {
    const dead: string[] = [];
    for (const rb of loadRunbooks())
      for (const reason of rb.trigger.reasons) {
        const p = PRODUCED_REASONS[reason];
        if (!p) dead.push(`${rb.name}: nothing emits ${reason}`);
        else if (!overlaps(rb.trigger.findingKinds, p.kinds))
          dead.push(
            `${rb.name}: ${reason} is ${p.kinds.join("/")}, not ${rb.trigger.findingKinds}`,
          );
        else if (!overlaps(rb.trigger.subjectKinds, p.subjects))
          dead.push(`${rb.name}: ${reason} is about ${p.subjects.join("/")}`);
      }
    expect(dead).toEqual([]);
  });

  it("the diagnose reasons in the list are ones the case corpus shows the analyzer emitting", () => {
    const seen = new Set(
      listCases().map((c) => {
        const e = parse(
          readFileSync(join(CASES_DIR, c, "expected.yaml"), "utf8"),
        ) as CaseExpectation;
        return `diagnose/${e.analyzer}:${e.reason}`;
      }),
    );
    const unseen = Object.entries(PRODUCED_REASONS)
      .filter(([, p]) => p.source.startsWith("diagnose/"))
      .map(([reason, p]) => `${p.source}:${reason}`)
      .filter((k) => !seen.has(k));
    // DiskPressure without evictions yet has no case in the corpus: witnessed below.
    expect(unseen.filter((k) => k !== "diagnose/nodes:DiskPressure")).toEqual([]);
  });

  it("the nodes analyzer reports DiskPressure on a node under pressure with no pod evicted yet", () => {
    const node = {
      metadata: { name: "n1" },
      status: {
        conditions: [
          { type: "Ready", status: "True" },
          { type: "DiskPressure", status: "True", reason: "KubeletHasDiskPressure" },
        ],
      },
    };
    const found = analyzeNodes({ ...emptySnapshot(), nodes: [node] }, 0);
    expect(found.map((f) => [f.reason, f.source, f.kind])).toEqual([
      ["DiskPressure", PRODUCED_REASONS.DiskPressure?.source, "problem"],
    ]);
  });

  it("live detection names hardware series anomalies HardwareDegradation", () => {
    for (const m of ["node_hwmon_temp_celsius", "rate(node_edac_correctable_errors_total)"])
      expect(anomalyReason(m, {}, true)).toBe("HardwareDegradation");
  });
});
