/**
 * `GET /api/v1/stream`: server-sent events for live views. `incident` and `action` carry the
 * incident's summary; `change` says something was written through the API; a comment line every
 * 15 s keeps proxies from closing an idle stream. Each client's listeners are removed on
 * disconnect so a long-running server does not leak them.
 */
import type { EventEmitter } from "node:events";
import type { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { ActionSummary, Incident } from "../../core/types.ts";
import type { IncidentEvent } from "../../incidents/incidents.ts";
import { summary } from "./dashboard-api.ts";

export interface LiveEvents {
  incident: [IncidentEvent];
  action: [Incident, ActionSummary];
  change: [{ tool: string }];
}

export function mountStream(
  app: Hono,
  events: EventEmitter<LiveEvents>,
  heartbeatMs = 15_000,
): void {
  app.get("/api/v1/stream", (c) =>
    streamSSE(c, async (stream) => {
      const queue: { event: string; data: string }[] = [];
      let wake: (() => void) | undefined;
      const push = (event: string, data: unknown) => {
        queue.push({ event, data: JSON.stringify(data) });
        wake?.();
      };
      const onIncident = (e: IncidentEvent) =>
        push("incident", { type: e.type, incident: summary(e.incident) });
      const onAction = (i: Incident, a: ActionSummary) =>
        push("action", { incident: summary(i), action: a });
      const onChange = (x: { tool: string }) => push("change", x);
      events.on("incident", onIncident);
      events.on("action", onAction);
      events.on("change", onChange);
      let open = true;
      stream.onAbort(() => {
        open = false;
        wake?.();
      });
      try {
        await stream.writeSSE({ event: "hello", data: "{}" });
        while (open) {
          const next = queue.shift();
          if (next) {
            await stream.writeSSE(next);
            continue;
          }
          const timedOut = await new Promise<boolean>((resolve) => {
            const t = setTimeout(() => resolve(true), heartbeatMs);
            wake = () => {
              clearTimeout(t);
              resolve(false);
            };
          });
          wake = undefined;
          if (timedOut && open) await stream.write(": keep-alive\n\n");
        }
      } finally {
        events.off("incident", onIncident);
        events.off("action", onAction);
        events.off("change", onChange);
      }
    }),
  );
}
