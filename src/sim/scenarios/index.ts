/**
 * The scenario library: list, load (by name from the shipped `scenarios/` folder, or by path)
 * and install a scenario on a simulated cluster.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { OpsloopError } from "../../core/errors.ts";
import { openRegistry, type SimCluster, type SimClusterOptions } from "../cluster.ts";
import { applyOrder, parseManifests } from "./manifests.ts";
import { Scenario } from "./schema.ts";
import { ScenarioTimeline } from "./timeline.ts";

export type { Scenario, TimelineAction, Truth } from "./schema.ts";
export { ScenarioTimeline } from "./timeline.ts";

/** The scenarios shipped with the package (repo root `scenarios/`). */
export const SCENARIOS_DIR = fileURLToPath(new URL("../../../scenarios/", import.meta.url));

export function listScenarios(dir = SCENARIOS_DIR): { name: string; description: string }[] {
  return scenarioFiles(dir).map((f) => {
    const s = readScenarioFile(`${dir}/${f}`);
    return { name: s.name, description: s.description };
  });
}

export function loadScenario(nameOrPath: string, dir = SCENARIOS_DIR): Scenario {
  const looksLikePath = nameOrPath.includes("/") || /\.ya?ml$/.test(nameOrPath);
  const path = looksLikePath ? nameOrPath : `${dir}/${nameOrPath}.yaml`;
  if (!existsSync(path)) {
    const names = scenarioFiles(dir).map((f) => f.replace(/\.ya?ml$/, ""));
    throw new OpsloopError(
      "not_found",
      `no scenario "${nameOrPath}"; available: ${names.join(", ")}`,
      { data: { available: names } },
    );
  }
  return readScenarioFile(path);
}

/** Options for `new SimCluster(...)` that a scenario needs at construction (images, start). */
export function scenarioClusterOptions(scenario: Scenario): SimClusterOptions {
  return {
    images: openRegistry(scenario.images),
    speed: scenario.speed,
    ...(scenario.start ? { start: Date.parse(scenario.start) } : {}),
  };
}

/**
 * Applies the scenario's objects and registers its timeline on `cluster.sim`; the timeline's
 * `at` offsets count from the simulated time of installation.
 */
export function installScenario(cluster: SimCluster, scenario: Scenario): ScenarioTimeline {
  cluster.apply(applyOrder(parseManifests(scenario.objects)));
  const timeline = new ScenarioTimeline(cluster, cluster.clock.now(), scenario.timeline);
  cluster.sim.register(timeline);
  return timeline;
}

function scenarioFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
}

function readScenarioFile(path: string): Scenario {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, "utf8"));
  } catch (e) {
    throw new OpsloopError(
      "invalid_input",
      `cannot read scenario ${path}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  const parsed = Scenario.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new OpsloopError("invalid_input", `invalid scenario ${path}: ${problems.join("; ")}`);
  }
  return withIncludes(parsed.data, dirname(path));
}

/** Inlines `include`d manifest files so a loaded scenario is self-contained. */
function withIncludes(s: Scenario, base: string): Scenario {
  if (s.include.length === 0) return s;
  const included = s.include.flatMap((f) => parseManifests(readFileSync(join(base, f), "utf8")));
  const own = parseManifests(s.objects);
  return { ...s, include: [], objects: [...included, ...own] as Record<string, unknown>[] };
}
