/**
 * Garbage collector (pkg/controller/garbagecollector): dependents whose owners are all gone
 * are deleted in the background; owners deleted with propagationPolicy Orphan (recorded as the
 * `orphan` finalizer) first have their dependents' ownerReferences removed.
 */
import type { Controller, SimContext } from "../engine.ts";
import type { ResourceType } from "../store/resources.ts";
import type { KubeObject } from "../store/types.ts";

const ORPHAN = "orphan";

export class GarbageCollector implements Controller {
  readonly name = "garbage-collector";
  private readonly ctx: SimContext;
  constructor(ctx: SimContext) {
    this.ctx = ctx;
  }

  private resources(): ResourceType[] {
    const seen = new Map<string, ResourceType>();
    for (const r of this.ctx.store.registry.all()) {
      if (r.resource !== "events" && !seen.has(`${r.group}/${r.resource}`))
        seen.set(`${r.group}/${r.resource}`, r);
    }
    return [...seen.values()];
  }

  tick(): void {
    const { store } = this.ctx;
    const all: Array<[ResourceType, KubeObject]> = [];
    const uids = new Map<string, KubeObject>();
    for (const r of this.resources()) {
      for (const o of store.list(r)) {
        all.push([r, o]);
        uids.set(o.metadata.uid as string, o);
      }
    }
    for (const [r, o] of all) {
      const refs = o.metadata.ownerReferences ?? [];
      if (!refs.length) continue;
      const live = refs.filter(
        (ref) => uids.has(ref.uid) || !store.registry.byKind(ref.kind, ref.apiVersion),
      );
      const orphaning = live.filter((ref) => {
        const owner = uids.get(ref.uid) as KubeObject;
        return owner.metadata.deletionTimestamp && owner.metadata.finalizers?.includes(ORPHAN);
      });
      if (orphaning.length) {
        store.mutate(r, o.metadata.namespace, o.metadata.name as string, (d) => {
          d.metadata.ownerReferences = refs.filter((ref) => !orphaning.includes(ref));
        });
      } else if (live.length === 0 && !o.metadata.deletionTimestamp) {
        store.delete(r, o.metadata.namespace, o.metadata.name as string);
      }
    }
    // Once no dependent points at an orphaning owner any more, its finalizer is done.
    for (const [r, o] of all) {
      if (!o.metadata.deletionTimestamp || !o.metadata.finalizers?.includes(ORPHAN)) continue;
      const uid = o.metadata.uid;
      const still = all.some(([rr, d]) => {
        const cur = store.get(rr, d.metadata.namespace, d.metadata.name as string);
        return cur?.metadata.ownerReferences?.some((ref) => ref.uid === uid);
      });
      if (!still && store.get(r, o.metadata.namespace, o.metadata.name as string))
        store.mutate(r, o.metadata.namespace, o.metadata.name as string, (d) => {
          d.metadata.finalizers = (d.metadata.finalizers ?? []).filter((f) => f !== ORPHAN);
        });
    }
  }
}
