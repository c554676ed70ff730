import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runDetect } from "./detect.ts";

function csvFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "opsloop-detect-")), "in.csv");
  writeFileSync(path, text);
  return path;
}

describe("opsloop detect", () => {
  const rows = Array.from(
    { length: 40 },
    (_, i) => `2024-01-01 00:${String(i).padStart(2, "0")}:00,${i % 5}`,
  );
  const input = csvFile(`timestamp,value\n${rows.join("\n")}\n`);

  it("prints one scored CSV row per input row", () => {
    const out = runDetect({ input, output: "csv" }).trim().split("\n");
    expect(out[0]).toBe("timestamp,value,anomaly_score");
    expect(out).toHaveLength(41);
    expect(out[1]).toBe("2024-01-01 00:00:00,0,0");
  });

  it("prints JSON rows when asked", () => {
    const parsed = JSON.parse(runDetect({ input, output: "json" })) as unknown[];
    expect(parsed).toHaveLength(40);
  });

  it("fails clearly on a bad header and on an unknown format", () => {
    expect(() => runDetect({ input: csvFile("ts,v\n1,2\n"), output: "csv" })).toThrow(/header/);
    expect(() => runDetect({ input, output: "xml" })).toThrow(/--output must be csv or json/);
  });
});
