/**
 * Diagnosis as tools: `list_problems` (every problem now) and `diagnose_object` (the findings
 * about one object, its pods or its owner). With a cluster snapshot in the context they run
 * `diagnose()` on it directly, so an assistant gets the current answer, not the agent's last
 * cycle; without one, list_problems falls back to the loop's findings and diagnose_object is
 * unavailable.
 */
import { z } from "zod";
import { OpsloopError } from "../core/errors.ts";
import type { Finding, ObjectRef } from "../core/types.ts";
import { diagnose } from "../diagnose/index.ts";
import { owningWorkload, refKey } from "../diagnose/owners.ts";
import type { ClusterSnapshot } from "../sources/kubernetes/snapshot.ts";
import type { ToolContext } from "./context.ts";
import { defineTool, type Tool } from "./registry.ts";
import { FindingSchema } from "./schemas.ts";

const READ = { readOnly: true, destructive: false, idempotent: true, openWorld: false };

/** The problems list_problems returns: a fresh diagnosis when a snapshot is wired, else the loop's. */
export async function currentProblems(ctx: ToolContext, namespace?: string): Promise<Finding[]> {
  if (!ctx.snapshot)
    return ctx
      .findings()
      .filter((f) => f.kind === "problem" && (!namespace || f.subject.namespace === namespace));
  return diagnose(
    {
      snap: ctx.snapshot(),
      now: ctx.clock.now(),
      ...(ctx.readLog ? { readLog: ctx.readLog } : {}),
    },
    namespace ? { namespace } : {},
  );
}

/** Every object a finding is about: its subject, the affected objects, and their owning workloads. */
function touches(snap: ClusterSnapshot, f: Finding, target: string): boolean {
  const refs: ObjectRef[] = [f.subject, ...f.affected];
  for (const r of refs) {
    if (refKey(r) === target) return true;
    if (r.kind === "Pod") {
      const pod = snap.pods.find(
        (p) => p.metadata?.namespace === r.namespace && p.metadata?.name === r.name,
      );
      if (pod && refKey(owningWorkload(snap, pod.metadata)) === target) return true;
    }
  }
  return false;
}

const diagnoseObject = defineTool({
  name: "diagnose_object",
  title: "Diagnose an object",
  description:
    "Problems about one object (e.g. Deployment shop/api, Service shop/web, Node node-a-1): findings whose subject or affected objects are it, its pods, or the workload owning it. Runs every analyzer, including security.",
  input: z
    .object({
      kind: z.string().min(1).describe("Kind as in the API, e.g. Deployment, Pod, Service, Node"),
      namespace: z.string().optional().describe("Namespace; omit for cluster-scoped kinds"),
      name: z.string().min(1),
    })
    .strict(),
  output: z.object({ object: z.string(), problems: z.array(FindingSchema) }),
  annotations: READ,
  run: async (ctx, input) => {
    if (!ctx.snapshot)
      throw new OpsloopError(
        "unavailable",
        "diagnose_object needs a cluster connection (no snapshot)",
      );
    const snap = ctx.snapshot();
    const target = refKey({ kind: input.kind, namespace: input.namespace, name: input.name });
    const findings = await diagnose(
      { snap, now: ctx.clock.now(), ...(ctx.readLog ? { readLog: ctx.readLog } : {}) },
      { all: true },
    );
    const problems = findings.filter((f) => touches(snap, f, target));
    // A Pod's own findings are usually filed under its workload: include the owner's too.
    if (input.kind === "Pod" && !problems.length) {
      const pod = snap.pods.find(
        (p) => p.metadata?.namespace === input.namespace && p.metadata?.name === input.name,
      );
      if (pod) {
        const owner = refKey(owningWorkload(snap, pod.metadata));
        problems.push(...findings.filter((f) => touches(snap, f, owner)));
      }
    }
    return { object: target, problems };
  },
});

export const DIAGNOSE_TOOLS: Tool[] = [diagnoseObject];
