/**
 * Namespace lifecycle (pkg/controller/namespace): a deleted namespace turns Terminating, its
 * contents are deleted, and once empty the `kubernetes` finalizer is removed so it goes away.
 * Also keeps a `default` ServiceAccount in every active namespace (serviceaccounts-controller).
 */
import type { Controller, SimContext } from "../engine.ts";
import { ApiError } from "../store/api-error.ts";
import type { ResourceType } from "../store/resources.ts";
import type { KubeObject } from "../store/types.ts";

function namespacedResources(ctx: SimContext): ResourceType[] {
  const seen = new Map<string, ResourceType>();
  for (const r of ctx.store.registry.all()) {
    if (r.namespaced && !seen.has(`${r.group}/${r.resource}`))
      seen.set(`${r.group}/${r.resource}`, r);
  }
  return [...seen.values()];
}

export class NamespaceController implements Controller {
  readonly name = "namespace-controller";
  private readonly ctx: SimContext;
  constructor(ctx: SimContext) {
    this.ctx = ctx;
  }

  tick(): void {
    for (const ns of this.ctx.store.list("namespaces")) {
      if (ns.metadata.deletionTimestamp) this.finalize(ns);
      else this.ensureServiceAccount(ns);
    }
  }

  private ensureServiceAccount(ns: KubeObject): void {
    const name = ns.metadata.name as string;
    if (this.ctx.store.get("serviceaccounts", name, "default")) return;
    this.ctx.store.create(
      "serviceaccounts",
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: name } },
      { internal: true },
    );
  }

  private finalize(ns: KubeObject): void {
    const { store } = this.ctx;
    const name = ns.metadata.name as string;
    if (ns.status?.phase !== "Terminating")
      ns = store.mutate("namespaces", undefined, name, (d) => {
        d.status = { ...d.status, phase: "Terminating" };
      });
    let remaining = 0;
    for (const r of namespacedResources(this.ctx)) {
      for (const o of store.list(r, { namespace: name })) {
        remaining++;
        if (o.metadata.deletionTimestamp) continue;
        try {
          store.delete(r, name, o.metadata.name as string);
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
        }
      }
    }
    if (remaining > 0 || !ns.spec?.finalizers?.length) return;
    store.mutate("namespaces", undefined, name, (d) => {
      d.spec.finalizers = [];
    });
    if (store.get("namespaces", undefined, name))
      store.delete("namespaces", undefined, name, { force: true });
  }
}
