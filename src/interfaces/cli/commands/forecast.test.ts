import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../core/ids.ts";
import { runForecast } from "./forecast.ts";

function csvFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "opsloop-forecast-")), "in.csv");
  writeFileSync(path, text);
  return path;
}

describe("opsloop forecast", () => {
  const start = Date.UTC(2024, 0, 1) / 1000;
  const random = seededRandom(7);
  const rows = Array.from(
    { length: 24 * 21 },
    (_, i) => `${start + 3600 * i},${100 + 30 * Math.sin((2 * Math.PI * i) / 24) + 5 * random()}`,
  );
  const input = csvFile(`timestamp,value\n${rows.join("\n")}\n`);
  const base = { input, horizon: "6", level: "95" };

  it("prints a table with one row per future step, continuing the timestamps", () => {
    const out = runForecast({ ...base, output: "table" })
      .trim()
      .split("\n");
    expect(out[0]).toMatch(/^model: .+; periods: 24 samples; 95% interval$/);
    expect(out[1]).toMatch(/^timestamp\s+mean\s+lower\s+upper$/);
    expect(out).toHaveLength(8);
    expect(out[2]?.startsWith(String(start + 3600 * 24 * 21))).toBe(true);
  });

  it("prints JSON with ISO timestamps when the input has them", () => {
    const iso = rows.map((r) => {
      const [t, v] = r.split(",");
      return `${new Date(Number(t) * 1000).toISOString()},${v}`;
    });
    const parsed = JSON.parse(
      runForecast({
        ...base,
        input: csvFile(`timestamp,value\n${iso.join("\n")}\n`),
        output: "json",
      }),
    );
    expect(parsed.forecast).toHaveLength(6);
    expect(parsed.forecast[0].timestamp).toBe(
      new Date((start + 3600 * 24 * 21) * 1000).toISOString(),
    );
    expect(parsed.forecast[0].lower).toBeLessThan(parsed.forecast[0].mean);
  });

  it("fails clearly on bad input and options", () => {
    expect(() => runForecast({ ...base, input: csvFile("ts,v\n1,2\n"), output: "table" })).toThrow(
      /header/,
    );
    expect(() =>
      runForecast({ ...base, input: csvFile("timestamp,value\n1,x\n"), output: "table" }),
    ).toThrow(/line 2/);
    expect(() => runForecast({ ...base, output: "xml" })).toThrow(/--output must be table or json/);
    expect(() => runForecast({ ...base, horizon: "-1", output: "json" })).toThrow(
      /--horizon must be a positive integer/,
    );
  });
});
