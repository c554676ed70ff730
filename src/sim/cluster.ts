/**
 * A whole simulated cluster: object store, virtual clock, physics and controllers, and
 * (optionally) the HTTP API server that kubectl and client-node talk to.
 */
import { writeFileSync } from "node:fs";
import { VirtualClock } from "../core/clock.ts";
import { splitImage } from "../core/image-ref.ts";
import { registerControllers } from "./controllers/index.ts";
import { Simulation } from "./engine.ts";
import type { ImageRegistry, ImageRegistryConfig } from "./physics/image-registry.ts";
import { registerPhysics } from "./physics/index.ts";
import { type RunningApiServer, startApiServer } from "./server/api-server.ts";
import { ObjectStore } from "./store/object-store.ts";
import { ResourceRegistry } from "./store/resources.ts";
import type { KubeObject } from "./store/types.ts";
import { TEXT_CONTENT_TYPE } from "./telemetry/exposition.ts";
import { Telemetry } from "./telemetry/telemetry.ts";

export interface SimClusterOptions {
  /** Simulated start time (ms since epoch). Default: Monday 2026-01-05 00:00 UTC. */
  start?: number;
  /** Simulated seconds per wall second when running. */
  speed?: number;
  seed?: number;
  tickMs?: number;
  images?: ImageRegistry;
  extraRoutes?: Record<string, () => { contentType: string; body: string }>;
}

export const DEFAULT_START = Date.UTC(2026, 0, 5, 0, 0, 0);

export class SimCluster {
  readonly registry: ResourceRegistry;
  readonly clock: VirtualClock;
  readonly store: ObjectStore;
  readonly sim: Simulation;
  /** Integrated metrics state; served on `/metrics` (Prometheus text format). */
  readonly telemetry: Telemetry;
  private server: RunningApiServer | undefined;
  private readonly extraRoutes: Record<string, () => { contentType: string; body: string }>;

  constructor(opts: SimClusterOptions = {}) {
    this.registry = new ResourceRegistry();
    this.clock = new VirtualClock(opts.start ?? DEFAULT_START, opts.speed ?? 1);
    this.store = new ObjectStore(this.registry, this.clock);
    this.sim = new Simulation({
      store: this.store,
      clock: this.clock,
      seed: opts.seed,
      tickMs: opts.tickMs,
    });
    this.extraRoutes = { ...(opts.extraRoutes ?? {}) };
    for (const name of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
      this.store.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
    }
    registerControllers(this.sim);
    registerPhysics(this.sim, { images: opts.images ?? openRegistry({}) });
    // Registered last so each tick it measures what the physics just did.
    this.telemetry = new Telemetry(this.sim.ctx, { seed: opts.seed });
    this.sim.register(this.telemetry);
    this.extraRoutes["/metrics"] ??= () => ({
      contentType: TEXT_CONTENT_TYPE,
      body: this.telemetry.render(),
    });
  }

  /** Create each object, or replace it when it exists (like `kubectl apply` for a fresh manifest). */
  apply(objects: KubeObject[]): KubeObject[] {
    return objects.map((o) => {
      const r = this.registry.byKind(o.kind, o.apiVersion);
      if (!r) throw new Error(`unknown kind ${o.apiVersion}/${o.kind}`);
      const ns = r.namespaced ? (o.metadata.namespace ?? "default") : undefined;
      const obj = { ...o, metadata: { ...o.metadata, ...(ns ? { namespace: ns } : {}) } };
      const existing = this.store.get(r, ns, o.metadata.name as string);
      if (!existing) return this.store.create(r, obj);
      return this.store.update(r, {
        ...obj,
        metadata: { ...obj.metadata, resourceVersion: undefined },
      });
    });
  }

  addRoute(path: string, handler: () => { contentType: string; body: string }): void {
    this.extraRoutes[path] = handler;
  }

  /** Advance simulated time by `ms` with every controller ticking (the clock must be paused). */
  step(ms: number): void {
    this.sim.step(ms);
  }

  start(): void {
    this.sim.start();
  }

  stop(): void {
    this.sim.stop();
  }

  async listen(opts: { port?: number; host?: string } = {}): Promise<string> {
    this.server = await startApiServer(
      {
        store: this.store,
        logs: this.sim.ctx.logs,
        clock: this.clock,
        extraRoutes: this.extraRoutes,
      },
      opts,
    );
    return this.server.url;
  }

  /** The running API server (its request log), once `listen` has been called. */
  get apiServer(): RunningApiServer | undefined {
    return this.server;
  }

  get url(): string {
    if (!this.server) throw new Error("the API server is not listening");
    return this.server.url;
  }

  /** Write a kubeconfig for this cluster's API server (plain HTTP, a dummy token). */
  writeKubeconfig(path: string, contextName = "opsloop-sim"): void {
    writeFileSync(path, kubeconfigYaml(this.url, contextName));
  }

  async close(): Promise<void> {
    this.stop();
    await this.server?.close();
    this.server = undefined;
  }
}

export function kubeconfigYaml(url: string, name = "opsloop-sim"): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    `current-context: ${name}`,
    "clusters:",
    `- name: ${name}`,
    "  cluster:",
    `    server: ${url}`,
    // Plain HTTP: client-node 2.x refuses an http:// server unless TLS verification is "skipped".
    "    insecure-skip-tls-verify: true",
    "contexts:",
    `- name: ${name}`,
    "  context:",
    `    cluster: ${name}`,
    `    user: ${name}`,
    "    namespace: default",
    "users:",
    `- name: ${name}`,
    "  user:",
    "    token: opsloop-simulator",
    "",
  ].join("\n");
}

/** A registry where every image exists unless the config lists its repository's tags. */
export function openRegistry(config: ImageRegistryConfig): ImageRegistry {
  return {
    pull(image: string, hasPullSecret: boolean) {
      const { repository, tag } = splitImage(image);
      if (config.private?.includes(repository) && !hasPullSecret) {
        return {
          ok: false,
          kind: "unauthorized",
          message: `failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://${repository.split("/")[0]}/token: 401 Unauthorized`,
        };
      }
      const tags = config.repositories?.[repository];
      if (tags && !tags.includes(tag)) {
        return { ok: false, kind: "not-found", message: `${image}: not found` };
      }
      return {
        ok: true,
        digest: `sha256:${Buffer.from(image).toString("hex").padEnd(64, "0").slice(0, 64)}`,
      };
    },
  };
}
