/** Resolving a step's targets and reading objects for preconditions and verification. */
import { redactObject } from "../../core/redact.ts";
import type { Finding, ObjectRef } from "../../core/types.ts";
import { httpCode, plain } from "../actions/kube.ts";
import type { ActionContext } from "../actions/types.ts";
import type { RunbookTarget } from "../runbook.ts";

/** Runbook selectors refer to the finding as `${subject.name}` / `${subject.namespace}`. */
const fill = (s: string | undefined, f: Finding) =>
  s?.replace(/\$\{subject\.(name|namespace)\}/g, (_m, key: string) =>
    key === "name" ? f.subject.name : (f.subject.namespace ?? ""),
  );

const ref = (
  kind: string,
  m: { name?: string; namespace?: string; uid?: string } | undefined,
): ObjectRef => ({
  kind,
  name: m?.name ?? "",
  ...(m?.namespace ? { namespace: m.namespace } : {}),
  ...(m?.uid ? { uid: m.uid } : {}),
});

export async function resolveTargets(
  ctx: ActionContext,
  target: RunbookTarget,
  finding: Finding,
): Promise<ObjectRef[]> {
  if (target === "subject") return [finding.subject];
  if (target === "affected") return finding.affected.length ? finding.affected : [finding.subject];
  const namespace = fill(target.namespace, finding);
  const q = {
    labelSelector: fill(target.labelSelector, finding),
    fieldSelector: fill(target.fieldSelector, finding),
  };
  const { core, apps } = ctx.kube;
  if (target.kind === "Node")
    return (await core.listNode(q)).items.map((n) => ref("Node", n.metadata));
  if (target.kind === "Pod") {
    const list = namespace
      ? await core.listNamespacedPod({ namespace, ...q })
      : await core.listPodForAllNamespaces(q);
    return list.items.map((p) => ref("Pod", p.metadata));
  }
  const list = namespace
    ? await apps.listNamespacedDeployment({ namespace, ...q })
    : await apps.listDeploymentForAllNamespaces(q);
  return list.items.map((d) => ref("Deployment", d.metadata));
}

/** The object as plain JSON, or null when it does not exist (or its kind is not readable here). */
export async function readObject(ctx: ActionContext, t: ObjectRef): Promise<unknown> {
  const namespace = t.namespace ?? "default";
  try {
    if (t.kind === "Deployment")
      return plain(await ctx.kube.apps.readNamespacedDeployment({ namespace, name: t.name }));
    if (t.kind === "Node") return plain(await ctx.kube.core.readNode({ name: t.name }));
    if (t.kind === "Pod")
      return plain(await ctx.kube.core.readNamespacedPod({ namespace, name: t.name }));
    return null;
  } catch (e) {
    if (httpCode(e) === 404) return null;
    throw e;
  }
}

/**
 * The target as policy CEL sees it (`object`), secrets redacted. Unreadable is `undefined`: a
 * rule that needs it then fails, and a failing rule denies.
 */
export async function policyObject(ctx: ActionContext, t: ObjectRef): Promise<unknown> {
  try {
    return redactObject(await readObject(ctx, t));
  } catch {
    return undefined;
  }
}
