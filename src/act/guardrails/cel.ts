/**
 * CEL conditions of guardrail rules, with the variables a ValidatingAdmissionPolicy sees
 * (`object`, `namespaceObject`, `request`) plus opsloop's own (`namespaceLabels`, `runbook`,
 * `finding`, `blast`). Compilation is cached per expression text; evaluation stays pure.
 * Any error, at compile or run time, is returned as a value so the caller can deny with it.
 */
import { Environment } from "@marcbachmann/cel-js";
import type { GuardrailRequest } from "./policy.ts";

const VARIABLES = [
  "request",
  "object",
  "namespaceObject",
  "namespaceLabels",
  "runbook",
  "finding",
  "blast",
] as const;

function makeEnv(): Environment {
  // `.?`/`[?k]` optional access lets rules test labels that may be absent without an error.
  const env = new Environment({
    unlistedVariablesAreDyn: false,
    enableOptionalTypes: true,
    homogeneousAggregateLiterals: false,
    limits: { maxAstNodes: 2000, maxDepth: 50, maxListElements: 200, maxMapEntries: 200 },
  });
  for (const v of VARIABLES) env.registerVariable(v, "dyn");
  return env;
}

const env = makeEnv();
type Compiled = { run: (ctx: Record<string, unknown>) => unknown } | { error: string };
const cache = new Map<string, Compiled>();

const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split("\n")[0] ?? "error";

/** Parses and type-checks once; unknown variables and non-boolean results are compile errors. */
export function compileCondition(expr: string): Compiled {
  const hit = cache.get(expr);
  if (hit) return hit;
  let out: Compiled;
  try {
    const parsed = env.parse(expr);
    const checked = parsed.check();
    if (!checked.valid) out = { error: `does not compile: ${firstLine(checked.error)}` };
    else if (checked.type !== "bool" && checked.type !== "dyn")
      out = { error: `does not compile: the condition is a ${checked.type}, not a bool` };
    else out = { run: (ctx) => parsed(ctx) };
  } catch (e) {
    out = { error: `does not compile: ${firstLine(e)}` };
  }
  if (cache.size > 500) cache.clear();
  cache.set(expr, out);
  return out;
}

/** API objects as JSON (client-node models hold Dates and class instances CEL cannot read). */
const plain = (v: unknown): unknown => (v == null ? null : JSON.parse(JSON.stringify(v)));

/** The CEL activation for a request; absent values are null so a rule reading them errors or tests them. */
export function celContext(req: GuardrailRequest): Record<string, unknown> {
  return {
    request: {
      action: req.action,
      kind: req.target.kind,
      namespace: req.target.namespace ?? "",
      name: req.target.name,
    },
    object: plain(req.object),
    namespaceObject: plain(req.namespaceObject),
    namespaceLabels: req.namespaceLabels ?? null,
    runbook: req.runbook ?? null,
    finding: req.finding ?? null,
    blast: req.blast ?? null,
  };
}

export function celRuleApplies(
  expr: string,
  req: GuardrailRequest,
): "applies" | "no" | { error: string } {
  const compiled = compileCondition(expr);
  if ("error" in compiled) return { error: compiled.error };
  try {
    const result = compiled.run(celContext(req));
    if (typeof result !== "boolean") return { error: `evaluated to ${typeof result}, not a bool` };
    return result ? "applies" : "no";
  } catch (e) {
    return { error: firstLine(e) };
  }
}
