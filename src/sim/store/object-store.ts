/**
 * The simulator's etcd + registry: typed-by-resource object storage with one global
 * resourceVersion, a bounded history for watch resumption (410 Gone past it), selectors,
 * graceful deletion, admission hooks and server-side dry-run.
 *
 * Stored objects are deep-frozen: readers get the stored instance and must never mutate it.
 * Writers pass a new object (see `mutate`, which clones for you).
 */
import { randomUUID } from "node:crypto";
import { type Clock, isoTime } from "../../core/clock.ts";
import { ApiError } from "./api-error.ts";
import {
  apiVersionOf,
  type ResourceRegistry,
  type ResourceType,
  resourceKey,
} from "./resources.ts";
import {
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  type Selector,
} from "./selectors.ts";
import { clone, type KubeObject, type WatchEvent, type WatchEventType } from "./types.ts";

export interface ListOptions {
  namespace?: string;
  labelSelector?: string | Selector;
  fieldSelector?: string | Selector;
}

export interface WriteOptions {
  dryRun?: boolean;
  /** "status" writes only .status; "" or undefined writes everything but .status for kinds with a status subresource. */
  subresource?: string;
  /** Controllers and the kubelet write spec and status together. */
  internal?: boolean;
}

export interface DeleteOptions {
  dryRun?: boolean;
  gracePeriodSeconds?: number;
  propagationPolicy?: "Background" | "Foreground" | "Orphan";
  /** Skip graceful deletion and finalizers: the object disappears now (kubelet confirming a pod is gone). */
  force?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export type AdmissionOp = "CREATE" | "UPDATE";
/** Defaults and validates an object before it is stored; throw ApiError to reject. */
export type AdmissionHook = (obj: KubeObject, old: KubeObject | undefined, op: AdmissionOp) => void;
/** Decides whether a delete is graceful (sets deletionTimestamp) rather than immediate. */
export type GracefulPolicy = (obj: KubeObject, opts: DeleteOptions) => number | undefined;

interface HistoryEntry {
  rv: number;
  key: string;
  type: WatchEventType;
  object: KubeObject;
  prev: KubeObject | undefined;
}

interface Watcher {
  key: string;
  namespace: string | undefined;
  labels: Selector;
  fields: Selector;
  send: (ev: WatchEvent) => void;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === "object" && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

function objKey(ns: string | undefined, name: string): string {
  return ns ? `${ns}/${name}` : name;
}

const GC_FINALIZERS: Record<string, string> = {
  Orphan: "orphan",
  Foreground: "foregroundDeletion",
};

/** A namespace's spec.finalizers ("kubernetes") hold it in Terminating like metadata.finalizers. */
function finalizerCount(t: ResourceType, o: KubeObject): number {
  const spec = t.resource === "namespaces" ? (o.spec?.finalizers?.length ?? 0) : 0;
  return (o.metadata.finalizers?.length ?? 0) + spec;
}

function specOf(o: KubeObject): string {
  const { metadata: _m, status: _s, ...rest } = o;
  return JSON.stringify(rest);
}

export class ObjectStore {
  private rv = 1;
  private readonly data = new Map<string, Map<string, KubeObject>>();
  private readonly history: HistoryEntry[] = [];
  private historyStart = 0;
  private readonly watchers = new Set<Watcher>();
  private readonly hooks = new Map<string, AdmissionHook[]>();
  private readonly queue: Array<{ entry: HistoryEntry }> = [];
  private dispatching = false;
  private gracefulPolicy: GracefulPolicy = () => undefined;
  private nameCounter = 0;

  readonly registry: ResourceRegistry;
  readonly clock: Clock;
  private readonly historySize: number;
  constructor(registry: ResourceRegistry, clock: Clock, historySize = 20_000) {
    this.registry = registry;
    this.clock = clock;
    this.historySize = historySize;
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  /** The oldest resourceVersion a watch may resume from. */
  get oldestResumableVersion(): number {
    return this.history[0] ? this.history[0].rv - 1 : this.rv;
  }

  /** Resolve "pods", "deployments.apps" or a ResourceType. */
  res(r: string | ResourceType): ResourceType {
    return typeof r === "string" ? this.registry.get(r) : r;
  }

  addAdmissionHook(resource: string, hook: AdmissionHook): void {
    const key = resourceKey(this.res(resource));
    this.hooks.set(key, [...(this.hooks.get(key) ?? []), hook]);
  }

  setGracefulPolicy(policy: GracefulPolicy): void {
    this.gracefulPolicy = policy;
  }

  private bucket(key: string): Map<string, KubeObject> {
    let b = this.data.get(key);
    if (!b) {
      b = new Map();
      this.data.set(key, b);
    }
    return b;
  }

  get(
    r: string | ResourceType,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined {
    const t = this.res(r);
    return this.data.get(resourceKey(t))?.get(objKey(t.namespaced ? namespace : undefined, name));
  }

  /** Like get, but throws the API server's 404. */
  mustGet(r: string | ResourceType, namespace: string | undefined, name: string): KubeObject {
    const t = this.res(r);
    const o = this.get(t, namespace, name);
    if (!o) throw ApiError.notFound(t.resource, name, t.group);
    return o;
  }

  list(r: string | ResourceType, opts: ListOptions = {}): KubeObject[] {
    const t = this.res(r);
    const labels =
      typeof opts.labelSelector === "string" || !opts.labelSelector
        ? parseLabelSelector(opts.labelSelector as string)
        : opts.labelSelector;
    const fields =
      typeof opts.fieldSelector === "string" || !opts.fieldSelector
        ? parseFieldSelector(opts.fieldSelector as string)
        : opts.fieldSelector;
    const out: KubeObject[] = [];
    const b = this.data.get(resourceKey(t));
    if (!b) return out;
    for (const o of b.values()) {
      if (opts.namespace && t.namespaced && o.metadata.namespace !== opts.namespace) continue;
      if (labels.length && !matchesLabels(labels, o.metadata.labels)) continue;
      if (fields.length && !matchesFields(fields, o)) continue;
      out.push(o);
    }
    return out;
  }

  create(r: string | ResourceType, input: KubeObject, opts: WriteOptions = {}): KubeObject {
    const t = this.res(r);
    const obj = clone(input) as KubeObject;
    obj.apiVersion = apiVersionOf(t);
    obj.kind = t.kind;
    obj.metadata = obj.metadata ?? {};
    const meta = obj.metadata;
    if (!t.namespaced) delete meta.namespace;
    else if (!meta.namespace)
      throw ApiError.badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    if (!meta.name && meta.generateName) meta.name = meta.generateName + this.suffix();
    if (!meta.name)
      throw ApiError.invalid(
        t.kind,
        "",
        "metadata.name: Required value: name or generateName is required",
      );
    if (t.namespaced && t.resource !== "namespaces") {
      const ns = this.get("namespaces", undefined, meta.namespace as string);
      if (!ns) throw ApiError.notFound("namespaces", meta.namespace as string);
      if (ns.metadata.deletionTimestamp && !opts.internal) {
        throw new ApiError(
          403,
          "BadRequest",
          `${t.resource} "${meta.name}" is forbidden: unable to create new content in namespace ${meta.namespace} because it is being terminated`,
        );
      }
    }
    const b = this.bucket(resourceKey(t));
    const k = objKey(meta.namespace, meta.name);
    if (b.has(k)) throw ApiError.alreadyExists(t.resource, meta.name, t.group);
    meta.uid = randomUUID();
    meta.creationTimestamp = isoTime(this.clock.now());
    if (obj.spec !== undefined) meta.generation = 1;
    delete meta.deletionTimestamp;
    for (const h of this.hooks.get(resourceKey(t)) ?? []) h(obj, undefined, "CREATE");
    if (opts.dryRun) {
      meta.resourceVersion = undefined;
      return obj;
    }
    return this.commit(t, k, "ADDED", obj, undefined);
  }

  update(r: string | ResourceType, input: KubeObject, opts: WriteOptions = {}): KubeObject {
    const t = this.res(r);
    const meta = input.metadata ?? {};
    const name = meta.name as string;
    const ns = t.namespaced ? meta.namespace : undefined;
    const old = this.mustGet(t, ns, name);
    if (meta.resourceVersion && meta.resourceVersion !== old.metadata.resourceVersion) {
      throw ApiError.conflict(t.resource, name, t.group);
    }
    const obj = clone(input) as KubeObject;
    obj.apiVersion = apiVersionOf(t);
    obj.kind = t.kind;
    const hasStatusSub = t.subresources.includes("status");
    if (!opts.internal && hasStatusSub) {
      if (opts.subresource === "status") {
        const status = obj.status;
        Object.assign(obj, clone(old));
        obj.status = status;
        obj.metadata = clone(old.metadata);
      } else if (old.status !== undefined) {
        obj.status = clone(old.status);
      } else delete obj.status;
    }
    // Immutable metadata is kept from the stored object.
    obj.metadata = {
      ...obj.metadata,
      name: old.metadata.name,
      uid: old.metadata.uid,
      creationTimestamp: old.metadata.creationTimestamp,
      generation: old.metadata.generation,
    };
    if (t.namespaced) obj.metadata.namespace = old.metadata.namespace;
    if (old.metadata.deletionTimestamp) {
      obj.metadata.deletionTimestamp = old.metadata.deletionTimestamp;
      obj.metadata.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
    }
    if (specOf(obj) !== specOf(old) && old.metadata.generation !== undefined) {
      obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
    }
    for (const h of this.hooks.get(resourceKey(t)) ?? []) h(obj, old, "UPDATE");
    if (opts.dryRun) return obj;
    const sameAsOld =
      JSON.stringify({ ...obj, metadata: { ...obj.metadata, resourceVersion: undefined } }) ===
      JSON.stringify({ ...old, metadata: { ...old.metadata, resourceVersion: undefined } });
    if (sameAsOld) return old;
    // The last finalizer removed from an object being deleted: it goes away now.
    if (
      obj.metadata.deletionTimestamp &&
      finalizerCount(t, obj) === 0 &&
      !this.gracefulPolicy(obj, {})
    ) {
      const k = objKey(obj.metadata.namespace, name);
      return this.commit(t, k, "DELETED", obj, old);
    }
    return this.commit(t, objKey(obj.metadata.namespace, name), "MODIFIED", obj, old);
  }

  /** Clone the stored object, let `fn` change it, and store it if anything changed. */
  mutate(
    r: string | ResourceType,
    namespace: string | undefined,
    name: string,
    fn: (draft: KubeObject) => void,
    opts: WriteOptions = { internal: true },
  ): KubeObject {
    const t = this.res(r);
    const draft = clone(this.mustGet(t, namespace, name)) as KubeObject;
    fn(draft);
    return this.update(t, draft, opts);
  }

  delete(
    r: string | ResourceType,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): KubeObject {
    const t = this.res(r);
    const ns = t.namespaced ? namespace : undefined;
    const old = this.mustGet(t, ns, name);
    if (opts.preconditions?.uid && opts.preconditions.uid !== old.metadata.uid) {
      throw new ApiError(
        409,
        "Conflict",
        `Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${old.metadata.uid}`,
      );
    }
    const k = objKey(ns, name);
    const grace = opts.force ? undefined : this.gracefulPolicy(old, opts);
    // Orphan/Foreground deletion is carried out by the garbage collector through these finalizers.
    const gcFinalizer = opts.force ? undefined : GC_FINALIZERS[opts.propagationPolicy ?? ""];
    const hasFinalizers = !opts.force && (finalizerCount(t, old) > 0 || gcFinalizer !== undefined);
    if (grace !== undefined || hasFinalizers) {
      if (old.metadata.deletionTimestamp) return old;
      const obj = clone(old) as KubeObject;
      if (gcFinalizer && !obj.metadata.finalizers?.includes(gcFinalizer))
        obj.metadata.finalizers = [...(obj.metadata.finalizers ?? []), gcFinalizer];
      obj.metadata.deletionTimestamp = isoTime(this.clock.now() + (grace ?? 0) * 1000);
      obj.metadata.deletionGracePeriodSeconds = grace ?? 0;
      if (opts.dryRun) return obj;
      return this.commit(t, k, "MODIFIED", obj, old);
    }
    if (opts.dryRun) return old;
    return this.commit(t, k, "DELETED", clone(old) as KubeObject, old);
  }

  /**
   * Watch changes. `resourceVersion` unset or "0" starts with synthetic ADDED events for every
   * current object; "N" replays every change after N, or throws 410 when N is older than the
   * retained history.
   */
  watch(
    r: string | ResourceType,
    opts: ListOptions & { resourceVersion?: string },
    send: (ev: WatchEvent) => void,
  ): () => void {
    const t = this.res(r);
    const w: Watcher = {
      key: resourceKey(t),
      namespace: t.namespaced ? opts.namespace : undefined,
      labels:
        typeof opts.labelSelector === "object"
          ? opts.labelSelector
          : parseLabelSelector(opts.labelSelector),
      fields:
        typeof opts.fieldSelector === "object"
          ? opts.fieldSelector
          : parseFieldSelector(opts.fieldSelector),
      send,
    };
    const rv = opts.resourceVersion;
    if (!rv || rv === "0") {
      for (const o of this.list(t, {
        namespace: w.namespace,
        labelSelector: w.labels,
        fieldSelector: w.fields,
      })) {
        send({ type: "ADDED", object: o });
      }
    } else {
      const from = Number(rv);
      if (!Number.isFinite(from)) throw ApiError.badRequest(`invalid resource version "${rv}"`);
      if (from < this.oldestResumableVersion) throw ApiError.gone(rv, this.oldestResumableVersion);
      for (const entry of this.history) {
        if (entry.rv > from && entry.key === w.key) this.deliver(w, entry);
      }
    }
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }

  /** Drop history up to now: watches that resume from an older version get 410 Gone. */
  compact(): void {
    this.historyStart += this.history.length;
    this.history.length = 0;
  }

  private suffix(): string {
    const alphabet = "bcdfghjklmnpqrstvwxz2456789";
    let n = (this.nameCounter++ * 2654435761 + this.rv * 40503) >>> 0;
    let s = "";
    for (let i = 0; i < 5; i++) {
      s += alphabet[n % alphabet.length];
      n = Math.floor(n / alphabet.length) + i * 7919;
    }
    return s;
  }

  private commit(
    t: ResourceType,
    k: string,
    type: WatchEventType,
    obj: KubeObject,
    prev: KubeObject | undefined,
  ): KubeObject {
    this.rv += 1;
    obj.metadata.resourceVersion = String(this.rv);
    deepFreeze(obj);
    const b = this.bucket(resourceKey(t));
    if (type === "DELETED") b.delete(k);
    else b.set(k, obj);
    const entry: HistoryEntry = { rv: this.rv, key: resourceKey(t), type, object: obj, prev };
    this.history.push(entry);
    if (this.history.length > this.historySize)
      this.history.splice(0, this.history.length - this.historySize);
    this.queue.push({ entry });
    this.drain();
    return obj;
  }

  /** Delivers queued events in order; writes made by watchers are queued behind them. */
  private drain(): void {
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let item = this.queue.shift(); item; item = this.queue.shift()) {
        for (const w of [...this.watchers])
          if (w.key === item.entry.key) this.deliver(w, item.entry);
      }
    } finally {
      this.dispatching = false;
    }
  }

  private matches(w: Watcher, o: KubeObject | undefined): boolean {
    if (!o) return false;
    if (w.namespace && o.metadata.namespace !== w.namespace) return false;
    if (w.labels.length && !matchesLabels(w.labels, o.metadata.labels)) return false;
    if (w.fields.length && !matchesFields(w.fields, o)) return false;
    return true;
  }

  /** Selector transitions turn into ADDED/DELETED, as the API server's watch cache does. */
  private deliver(w: Watcher, e: HistoryEntry): void {
    const now = this.matches(w, e.object);
    const before = e.type === "ADDED" ? false : this.matches(w, e.prev);
    if (e.type === "DELETED") {
      if (before || now) w.send({ type: "DELETED", object: e.object });
      return;
    }
    if (now && before) w.send({ type: "MODIFIED", object: e.object });
    else if (now) w.send({ type: "ADDED", object: e.object });
    else if (before) w.send({ type: "DELETED", object: e.object });
  }
}
