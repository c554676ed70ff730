/**
 * `POST /api/v1/alerts`: the Alertmanager webhook receiver (point a `webhook_configs` url at
 * it). Every notification carries the whole alert group again, so ingestion deduplicates by
 * fingerprint; the answer lists the incidents the alerts belong to. W1's HTTP app mounts this
 * with `app.route("/", alertmanagerRoutes(deps))`.
 */
import { type Context, Hono } from "hono";
import type { Clock } from "../../core/clock.ts";
import { isOpsloopError } from "../../core/errors.ts";
import type { IncidentManager } from "../../incidents/incidents.ts";
import { alertToSignal, parseWebhook } from "./payload.ts";

export interface AlertmanagerDeps {
  incidents: IncidentManager;
  clock: Clock;
}

export function alertmanagerRoutes(deps: AlertmanagerDeps): Hono {
  const app = new Hono();
  app.post("/api/v1/alerts", async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return problem(c, "request body is not JSON");
    }
    try {
      const payload = parseWebhook(body);
      const signals = payload.alerts.map(alertToSignal);
      const events = deps.incidents.ingestAlerts(signals, deps.clock.now());
      const ids = new Set<string>();
      for (const s of signals) {
        const id = deps.incidents.incidentOfSignal(s.finding.id);
        if (id) ids.add(id);
      }
      return c.json({
        received: payload.alerts.length,
        incidents: [...ids],
        events: events.map((e) => ({ type: e.type, id: e.incident.id })),
      });
    } catch (e) {
      if (isOpsloopError(e) && e.code === "invalid_input") return problem(c, e.message);
      throw e;
    }
  });
  return app;
}

function problem(c: Context, detail: string): Response {
  return c.body(
    JSON.stringify({
      type: "https://opsloop.dev/problems/invalid_input",
      title: "invalid input",
      status: 400,
      detail,
      code: "invalid_input",
    }),
    400,
    { "content-type": "application/problem+json" },
  );
}
