/**
 * The pod/workload/node cases of the diagnose corpus (`test/cases/diagnose/w-*`, format in that
 * folder's README): each case's manifests are created through a fresh simulator's API with
 * @kubernetes/client-node, the simulation runs for the case's `run` time (then applies `then`,
 * if any, and runs again), a KubeSource syncs over HTTP, and the case's analyzer must report the
 * expected reason on the expected subject with a root cause naming the expected entities.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseDuration } from "../core/clock.ts";
import { openRegistry, SimCluster } from "../sim/cluster.ts";
import { parseManifests } from "../sim/scenarios/manifests.ts";
import { SimSession } from "./sim-run.ts";

const DIR = fileURLToPath(new URL("../../test/cases/diagnose/", import.meta.url));

interface Expected {
  analyzer: string;
  reason: string;
  subject: { kind: string; namespace?: string; name: string };
  rootCauseIncludes?: string[];
  run?: string;
  images?: { repositories?: Record<string, string[]>; private?: string[] };
  then?: { manifests: string; run?: string };
}

function cases(): string[] {
  if (!existsSync(DIR)) return [];
  return readdirSync(DIR)
    .filter((d) => d.startsWith("w-") && existsSync(join(DIR, d, "expected.yaml")))
    .sort();
}

async function runCase(name: string) {
  const dir = join(DIR, name);
  const exp = parse(readFileSync(join(dir, "expected.yaml"), "utf8")) as Expected;
  const cluster = new SimCluster({ images: openRegistry(exp.images ?? {}), tickMs: 2_000 });
  const session = await SimSession.start(cluster);
  try {
    await session.apply(parseManifests(readFileSync(join(dir, "manifests.yaml"), "utf8")));
    cluster.step(parseDuration(exp.run ?? "2m"));
    if (exp.then) {
      await session.apply(parseManifests(readFileSync(join(dir, exp.then.manifests), "utf8")));
      cluster.step(parseDuration(exp.then.run ?? "2m"));
    }
    const { findings } = await session.diagnose({ filter: [exp.analyzer] });
    return { exp, findings };
  } finally {
    await session.close();
  }
}

describe("diagnose corpus: pod, workload and node cases", () => {
  it("has at least 20 cases", () => {
    expect(cases().length).toBeGreaterThanOrEqual(20);
  });

  for (const name of cases()) {
    it(`${name}`, async () => {
      const { exp, findings } = await runCase(name);
      const text = findings
        .map((f) => `${f.reason} ${f.subject.kind}/${f.subject.name}: ${f.rootCause}`)
        .join("\n");
      const hit = findings.find(
        (f) =>
          f.reason === exp.reason &&
          f.subject.kind === exp.subject.kind &&
          f.subject.name === exp.subject.name &&
          (exp.subject.namespace === undefined || f.subject.namespace === exp.subject.namespace),
      );
      expect(
        hit,
        `expected ${exp.reason} on ${exp.subject.kind}/${exp.subject.name}, got:\n${text}`,
      ).toBeDefined();
      for (const s of exp.rootCauseIncludes ?? []) expect(hit?.rootCause).toContain(s);
      expect(hit?.evidence.length).toBeGreaterThan(0);
    }, 30_000);
  }
});
