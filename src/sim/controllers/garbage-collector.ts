/**
 * Garbage collector (pkg/controller/garbagecollector): dependents whose owners are all gone
 * are deleted in the background. Owners deleted with propagationPolicy Orphan carry the
 * `orphan` finalizer: their dependents lose the ownerReference first. Foreground deletion
 * (`foregroundDeletion`) deletes the dependents first. Either finalizer is removed once no
 * dependent points at the owner any more.
 */
import type { Controller, SimContext } from "../engine.ts";
import type { ResourceType } from "../store/resources.ts";
import type { KubeObject } from "../store/types.ts";

const ORPHAN = "orphan";
const FOREGROUND = "foregroundDeletion";

type Entry = [ResourceType, KubeObject];

export class GarbageCollector implements Controller {
  readonly name = "garbage-collector";
  private readonly ctx: SimContext;
  constructor(ctx: SimContext) {
    this.ctx = ctx;
  }

  private snapshot(): Entry[] {
    const seen = new Set<string>();
    const all: Entry[] = [];
    for (const r of this.ctx.store.registry.all()) {
      const key = `${r.group}/${r.resource}`;
      if (r.resource === "events" || seen.has(key)) continue;
      seen.add(key);
      for (const o of this.ctx.store.list(r)) all.push([r, o]);
    }
    return all;
  }

  tick(): void {
    const { store } = this.ctx;
    const all = this.snapshot();
    const byUid = new Map(all.map(([, o]) => [o.metadata.uid as string, o]));
    const finalizing = (uid: string, f: string) => {
      const owner = byUid.get(uid);
      return Boolean(owner?.metadata.deletionTimestamp && owner.metadata.finalizers?.includes(f));
    };
    for (const [r, o] of all) {
      const refs = o.metadata.ownerReferences ?? [];
      if (!refs.length) continue;
      const ns = o.metadata.namespace;
      const name = o.metadata.name as string;
      // An owner of a kind we do not know (a CRD not registered) is never treated as gone.
      const live = refs.filter(
        (ref) => byUid.has(ref.uid) || !store.registry.byKind(ref.kind, ref.apiVersion),
      );
      const orphaning = live.filter((ref) => finalizing(ref.uid, ORPHAN));
      if (orphaning.length) {
        store.mutate(r, ns, name, (d) => {
          d.metadata.ownerReferences = refs.filter((ref) => !orphaning.includes(ref));
        });
      } else if (
        !o.metadata.deletionTimestamp &&
        (live.length === 0 || live.some((ref) => finalizing(ref.uid, FOREGROUND)))
      ) {
        store.delete(r, ns, name);
      }
    }
    this.releaseFinalizers(all);
  }

  private releaseFinalizers(all: Entry[]): void {
    const { store } = this.ctx;
    for (const [r, o] of all) {
      const f = o.metadata.finalizers?.find((x) => x === ORPHAN || x === FOREGROUND);
      if (!o.metadata.deletionTimestamp || !f) continue;
      const uid = o.metadata.uid;
      const still = all.some(([rr, d]) =>
        store
          .get(rr, d.metadata.namespace, d.metadata.name as string)
          ?.metadata.ownerReferences?.some((ref) => ref.uid === uid),
      );
      if (still || !store.get(r, o.metadata.namespace, o.metadata.name as string)) continue;
      store.mutate(r, o.metadata.namespace, o.metadata.name as string, (d) => {
        d.metadata.finalizers = (d.metadata.finalizers ?? []).filter((x) => x !== f);
      });
    }
  }
}
