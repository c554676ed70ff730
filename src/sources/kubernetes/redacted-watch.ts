/**
 * List + watch of ConfigMaps or Secrets that keeps only names and key names. client-node's
 * informer cache would hold whole objects (values included) for as long as the process runs,
 * so these two kinds are reduced on arrival instead. A closed or expired (410) watch relists.
 */
import { type KubeConfig, Watch } from "@kubernetes/client-node";
import { type ConfigRef, redactConfig } from "./snapshot.ts";

type RawConfig = Parameters<typeof redactConfig>[0] & { metadata?: { resourceVersion?: string } };

export interface RedactedWatchOptions {
  kc: KubeConfig;
  /** e.g. /api/v1/configmaps */
  path: string;
  list: () => Promise<{ metadata?: { resourceVersion?: string }; items: RawConfig[] }>;
  onChange: () => void;
  onError: (e: unknown) => void;
}

export class RedactedWatch {
  private readonly opts: RedactedWatchOptions;
  private readonly refs = new Map<string, ConfigRef>();
  private abort: AbortController | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private backoffMs = 500;
  private listed = false;

  constructor(opts: RedactedWatchOptions) {
    this.opts = opts;
  }

  /** True once a list has succeeded. */
  get synced(): boolean {
    return this.listed;
  }

  /** Starts, or on failure records the error and keeps retrying in the background. */
  async startOrRetry(): Promise<void> {
    try {
      await this.start();
    } catch (e) {
      this.restart(e);
    }
  }

  items(): ConfigRef[] {
    return [...this.refs.values()];
  }

  async start(): Promise<void> {
    this.stopped = false;
    const list = await this.opts.list();
    this.refs.clear();
    for (const item of list.items) this.put(item);
    this.listed = true;
    this.opts.onChange();
    this.backoffMs = 500;
    this.abort = await new Watch(this.opts.kc).watch(
      this.opts.path,
      { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
      (phase, obj: RawConfig) => this.onEvent(phase, obj),
      (err) => this.restart(err),
    );
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.abort?.abort();
  }

  private put(obj: RawConfig): void {
    const ref = redactConfig(obj);
    this.refs.set(`${ref.namespace}/${ref.name}`, ref);
  }

  private onEvent(phase: string, obj: RawConfig): void {
    if (phase === "ADDED" || phase === "MODIFIED") this.put(obj);
    else if (phase === "DELETED")
      this.refs.delete(`${obj.metadata?.namespace}/${obj.metadata?.name}`);
    else return;
    this.opts.onChange();
  }

  private restart(err: unknown): void {
    if (this.stopped) return;
    if (err) this.opts.onError(err);
    this.retryTimer = setTimeout(() => {
      this.start().catch((e) => this.restart(e));
    }, this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
  }
}
