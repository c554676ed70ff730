/**
 * The diagnose case corpus (`test/cases/diagnose/<case>/`, format in that folder's README): load
 * a case, run it through a fresh simulator served over HTTP (objects created with
 * @kubernetes/client-node, the simulation stepped, a KubeSource synced, `diagnose()` run), and
 * judge the findings against the expectation. Shared by the case tests and `npm run bench:diagnose`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { parseDuration } from "../core/clock.ts";
import type { Finding } from "../core/types.ts";
import { openRegistry, SimCluster } from "../sim/cluster.ts";
import { parseManifests } from "../sim/scenarios/manifests.ts";
import { SimSession } from "./sim-run.ts";

export const CASES_DIR = fileURLToPath(new URL("../../test/cases/diagnose/", import.meta.url));

export interface CaseExpectation {
  analyzer: string;
  reason: string;
  subject: { kind: string; namespace?: string; name: string };
  rootCauseIncludes?: string[];
  run?: string;
  images?: { repositories?: Record<string, string[]>; private?: string[] };
  then?: { manifests: string; run?: string };
}

export interface CaseResult {
  name: string;
  expected: CaseExpectation;
  findings: Finding[];
  /** Why the case failed; undefined when it passed. */
  failure?: string;
  /** Wall time of the whole case (simulation, sync, diagnosis). */
  ms: number;
}

/** Case folder names with an expected.yaml, sorted; `prefix` ("s-", "w-") narrows them. */
export function listCases(prefix = "", dir = CASES_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((d) => d.startsWith(prefix) && existsSync(join(dir, d, "expected.yaml")))
    .sort();
}

export async function runCase(name: string, dir = CASES_DIR): Promise<CaseResult> {
  const started = performance.now();
  const caseDir = join(dir, name);
  const expected = parse(readFileSync(join(caseDir, "expected.yaml"), "utf8")) as CaseExpectation;
  const cluster = new SimCluster({ images: openRegistry(expected.images ?? {}), tickMs: 2_000 });
  const session = await SimSession.start(cluster);
  try {
    await session.apply(parseManifests(readFileSync(join(caseDir, "manifests.yaml"), "utf8")));
    cluster.step(parseDuration(expected.run ?? "2m"));
    if (expected.then) {
      const more = readFileSync(join(caseDir, expected.then.manifests), "utf8");
      await session.apply(parseManifests(more));
      cluster.step(parseDuration(expected.then.run ?? "2m"));
    }
    const { findings } = await session.diagnose({ filter: [expected.analyzer] });
    const failure = judge(expected, findings);
    return {
      name,
      expected,
      findings,
      ...(failure ? { failure } : {}),
      ms: performance.now() - started,
    };
  } finally {
    await session.close();
  }
}

/** The case passes when a finding has the reason and subject, names every entity, and shows evidence. */
export function judge(exp: CaseExpectation, findings: Finding[]): string | undefined {
  const hit = findings.find(
    (f) =>
      f.reason === exp.reason &&
      f.subject.kind === exp.subject.kind &&
      f.subject.name === exp.subject.name &&
      (exp.subject.namespace === undefined || f.subject.namespace === exp.subject.namespace),
  );
  const got = findings
    .map((f) => `${f.reason} ${f.subject.kind}/${f.subject.name}: ${f.rootCause}`)
    .join("\n");
  if (!hit)
    return `expected ${exp.reason} on ${exp.subject.kind}/${exp.subject.name}, got:\n${got || "(nothing)"}`;
  const missing = (exp.rootCauseIncludes ?? []).filter((s) => !hit.rootCause.includes(s));
  if (missing.length)
    return `root cause "${hit.rootCause}" does not mention ${missing.map((m) => `"${m}"`).join(", ")}`;
  if (!hit.evidence.length) return "the finding has no evidence";
  return undefined;
}
