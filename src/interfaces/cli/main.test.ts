import { describe, expect, it } from "vitest";
import { buildProgram } from "./main.ts";

describe("opsloop command line", () => {
  it("registers the loop's commands", () => {
    const names = buildProgram().commands.map((c) => c.name());
    expect(names).toEqual(expect.arrayContaining(["sim", "demo", "audit"]));
  });

  it("documents the demo options the quick start uses", () => {
    const demo = buildProgram().commands.find((c) => c.name() === "demo");
    expect(demo?.options.map((o) => o.long)).toEqual([
      "--scenario",
      "--for",
      "--speed",
      "--output",
      "--db",
      "--policy",
      "--port",
      "--no-dashboard",
    ]);
  });
});
