import { describe, expect, it } from "vitest";
import { simulateStorm } from "../../bench/storm/storm-sim.ts";
import { FixedClock } from "../core/clock.ts";
import { alertmanagerRoutes } from "../sources/alertmanager/routes.ts";
import { openDb } from "../store/sqlite.ts";
import { IncidentManager } from "./incidents.ts";
import type { Topology } from "./topology.ts";

describe("alert storm", () => {
  it.each([
    ["node failure", "node" as const, /^Node\/node-a-1$/],
    ["database outage", "database" as const, /^Pod\/db-/],
  ])(
    "turns a %s's 200+ alerts into one incident and keeps unrelated faults apart",
    async (_, cause, root) => {
      const storm = simulateStorm({ cause });
      let topology: Topology | undefined;
      const incidents = new IncidentManager(openDb(), {
        resolveAfterMs: 5 * 60_000,
        topology: () => topology as Topology,
      });
      const clock = new FixedClock(storm.notifications[0]?.at ?? 0);
      const app = alertmanagerRoutes({ incidents, clock });
      let sent = 0;
      for (const n of storm.notifications) {
        clock.set(n.at);
        topology = n.topology;
        const res = await app.request("/api/v1/alerts", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(n.payload),
        });
        expect(res.status).toBe(200);
        sent += n.payload.alerts.length;
      }
      const distinct =
        storm.truth.cause.size + [...storm.truth.noise.values()].reduce((a, s) => a + s.size, 0);
      expect(storm.truth.cause.size).toBeGreaterThanOrEqual(200);
      expect(sent).toBeGreaterThan(distinct);

      const all = incidents.list();
      const byFingerprint = (fp: string) => incidents.incidentOfSignal(`alertmanager:${fp}`);
      const causeIds = new Set([...storm.truth.cause].map(byFingerprint));
      expect(causeIds.size).toBe(1);
      const incident = incidents.get([...causeIds][0] as string);
      expect(`${incident?.subject.kind}/${incident?.subject.name}`).toMatch(root);
      expect(incident?.status).toBe("diagnosed");
      // Unrelated faults in five namespaces, of Deployments, a StatefulSet, a Job and a node.
      expect(storm.truth.noise.size).toBeGreaterThanOrEqual(8);
      const noiseIncidents = new Set<string>();
      for (const [source, fps] of storm.truth.noise) {
        const ids = new Set([...fps].map(byFingerprint));
        expect(ids.size, source).toBe(1);
        expect(causeIds.has([...ids][0]), source).toBe(false);
        noiseIncidents.add([...ids][0] as string);
      }
      expect(noiseIncidents.size).toBe(storm.truth.noise.size);
      const subjects = [...noiseIncidents].map((id) => incidents.get(id)?.subject);
      expect(
        new Set(subjects.map((x) => x?.namespace).filter(Boolean)).size,
      ).toBeGreaterThanOrEqual(5);
      expect(subjects.map((x) => x?.kind)).toEqual(expect.arrayContaining(["Node", "Job"]));
      expect(all).toHaveLength(1 + storm.truth.noise.size);
      const reduction = 1 - all.length / distinct;
      expect(reduction).toBeGreaterThanOrEqual(0.9);
    },
  );
});
