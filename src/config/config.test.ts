import { describe, expect, it } from "vitest";
import { datasetsDir, loadConfig, nabDir } from "./config.ts";

describe("configuration", () => {
  it("takes defaults, then the environment, then explicit overrides", () => {
    expect(loadConfig({}, {})).toEqual({ db: ":memory:", tickMs: 1000 });
    const env = { OPSLOOP_DB: "/var/lib/opsloop.db", KUBECONFIG: "/k", HOME: "/root" };
    expect(loadConfig({}, env)).toMatchObject({ db: "/var/lib/opsloop.db", kubeconfig: "/k" });
    expect(loadConfig({ db: "x.db", kubeconfig: undefined }, env)).toMatchObject({
      db: "x.db",
      kubeconfig: "/k",
    });
    expect(loadConfig({}, { OPSLOOP_LLM_MAX_STEPS: "3" }).llmMaxSteps).toBe(3);
  });

  it("lists every problem and rejects unknown keys", () => {
    expect(() => loadConfig({ tickMs: -1, metricsUrl: "not a url" } as never, {})).toThrow(
      /invalid configuration: .*metricsUrl.*; .*tickMs|invalid configuration: .*tickMs.*; .*metricsUrl/,
    );
    expect(() => loadConfig({ colour: "blue" } as never, {})).toThrow(/Unrecognized key.*colour/);
  });

  it("finds the benchmark data beside the repo unless told otherwise", () => {
    expect(datasetsDir(loadConfig({}, {}))).toMatch(/[/\\]shared[/\\]datasets$/);
    expect(nabDir(loadConfig({}, { OPSLOOP_DATASETS: "/d" }))).toBe("/d/nab");
    expect(nabDir(loadConfig({}, { OPSLOOP_DATASETS: "/d", OPSLOOP_NAB_DIR: "/n" }))).toBe("/n");
  });
});
