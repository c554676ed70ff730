/** The simulator's Kubernetes REST + watch server. (Filled in by the API server work.) */
import type { Clock } from "../../core/clock.ts";
import type { LogStore } from "../log-store.ts";
import type { ObjectStore } from "../store/object-store.ts";

export interface ApiServerDeps {
  store: ObjectStore;
  logs: LogStore;
  clock: Clock;
  /** Extra plain-text routes such as /metrics, served as-is. */
  extraRoutes?: Record<string, () => { contentType: string; body: string }>;
}

export interface RunningApiServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startApiServer(
  _deps: ApiServerDeps,
  _opts: { port?: number; host?: string } = {},
): Promise<RunningApiServer> {
  throw new Error("not implemented yet");
}
