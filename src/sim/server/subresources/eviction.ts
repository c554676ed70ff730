/**
 * POST pods/{name}/eviction (policy/v1 Eviction), honouring PodDisruptionBudgets as
 * pkg/registry/core/pod/storage/eviction.go does: a matching PDB with no disruptions left
 * refuses with 429; otherwise its budget is spent and the pod deleted.
 */
import type { ServerResponse } from "node:http";
import { ApiError } from "../../store/api-error.ts";
import type { DeleteOptions } from "../../store/object-store.ts";
import { fromLabelSelectorSpec, matchesLabels } from "../../store/selectors.ts";
import type { ServerContext } from "../context.ts";
import { isDryRun, parseJsonBody, type Request, sendJson, statusSuccess } from "../http-util.ts";
import type { ResourceRoute } from "../route.ts";

export function serveEviction(
  ctx: ServerContext,
  req: Request,
  res: ServerResponse,
  route: ResourceRoute,
): void {
  if (req.method !== "POST") throw ApiError.methodNotAllowed();
  const ns = route.namespace as string;
  const name = route.name as string;
  const eviction = parseJsonBody(req.body ?? "") as {
    metadata?: { name?: string };
    deleteOptions?: Omit<DeleteOptions, "dryRun"> & { dryRun?: string[] };
  };
  if (eviction.metadata?.name && eviction.metadata.name !== name) {
    throw ApiError.badRequest(`name in URL does not match name in Eviction object`);
  }
  const pod = ctx.store.mustGet("pods", ns, name);
  const dryRun = isDryRun(req.query) || (eviction.deleteOptions?.dryRun ?? []).includes("All");
  // canIgnorePDB: finished, pending or already terminating pods are evicted without a budget.
  const phase = pod.status?.phase;
  const ignorePdb =
    phase === "Succeeded" ||
    phase === "Failed" ||
    phase === "Pending" ||
    Boolean(pod.metadata.deletionTimestamp);
  const pdbs = ignorePdb
    ? []
    : ctx.store.list("poddisruptionbudgets.policy", { namespace: ns }).filter((p) => {
        const sel = fromLabelSelectorSpec(p.spec?.selector);
        return sel.length > 0 && matchesLabels(sel, pod.metadata.labels);
      });
  if (pdbs.length > 1) {
    throw new ApiError(
      500,
      "InternalError",
      "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
    );
  }
  const pdb = pdbs[0];
  if (pdb && (pdb.status?.disruptionsAllowed ?? 0) < 1) {
    throw new ApiError(
      429,
      "TooManyRequests",
      "Cannot evict pod as it would violate the pod's disruption budget.",
      {
        causes: [
          {
            reason: "DisruptionBudget",
            message: `The disruption budget ${pdb.metadata.name} needs ${pdb.status?.desiredHealthy ?? 0} healthy pods and has ${pdb.status?.currentHealthy ?? 0} currently`,
          },
        ],
      },
    );
  }
  if (pdb && !dryRun) {
    ctx.store.mutate("poddisruptionbudgets.policy", ns, pdb.metadata.name as string, (d) => {
      d.status = {
        ...(d.status ?? {}),
        disruptionsAllowed: (d.status?.disruptionsAllowed ?? 0) - 1,
      };
    });
  }
  const opts = eviction.deleteOptions ?? {};
  ctx.store.delete("pods", ns, name, {
    dryRun,
    ...(opts.gracePeriodSeconds !== undefined
      ? { gracePeriodSeconds: opts.gracePeriodSeconds }
      : {}),
    ...(opts.preconditions ? { preconditions: opts.preconditions } : {}),
  });
  sendJson(res, 201, statusSuccess());
}

/** POST pods/{name}/binding: what the scheduler does to assign a node. */
export function serveBinding(
  ctx: ServerContext,
  req: Request,
  res: ServerResponse,
  route: ResourceRoute,
): void {
  if (req.method !== "POST") throw ApiError.methodNotAllowed();
  const ns = route.namespace as string;
  const name = route.name as string;
  const binding = parseJsonBody(req.body ?? "") as { target?: { kind?: string; name?: string } };
  const node = binding.target?.name;
  if (!node) throw ApiError.invalid("Binding", name, "target.name: Required value");
  const pod = ctx.store.mustGet("pods", ns, name);
  if (pod.spec?.nodeName) {
    throw new ApiError(
      409,
      "Conflict",
      `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${pod.spec.nodeName}"`,
    );
  }
  if (!isDryRun(req.query)) {
    ctx.store.mutate("pods", ns, name, (d) => {
      d.spec = { ...(d.spec ?? {}), nodeName: node };
    });
  }
  sendJson(res, 201, statusSuccess());
}
