/**
 * `npm run bench:storm`: replays the simulated node-failure alert storm (bench/storm/storm-sim.ts)
 * through the incident manager and reports alerts in vs incidents out, noise reduction, and
 * whether the cause and every unrelated fault kept their own incident. The common vendor claim
 * for alert grouping is 80-90% less noise; there is no published benchmark for this setup.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { IncidentManager } from "../../src/incidents/incidents.ts";
import type { Topology } from "../../src/incidents/topology.ts";
import { alertToSignal } from "../../src/sources/alertmanager/payload.ts";
import { openDb } from "../../src/store/sqlite.ts";
import { simulateStorm } from "./storm-sim.ts";

const started = performance.now();
const storm = simulateStorm();
const simMs = performance.now() - started;
let topology: Topology | undefined;
const m = new IncidentManager(openDb(), { topology: () => topology as Topology });
let notifications = 0;
const t0 = performance.now();
for (const n of storm.notifications) {
  topology = n.topology;
  notifications += n.payload.alerts.length;
  m.ingestAlerts(n.payload.alerts.map(alertToSignal), n.at);
}
const ingestMs = performance.now() - t0;
const incidentOf = (fp: string) => m.incidentOfSignal(`alertmanager:${fp}`);
const causeIncidents = new Set([...storm.truth.cause].map(incidentOf));
const noiseSeparate = [...storm.truth.noise.values()].every((fps) => {
  const ids = new Set([...fps].map(incidentOf));
  return ids.size === 1 && !causeIncidents.has([...ids][0]);
});
const distinct =
  storm.truth.cause.size + [...storm.truth.noise.values()].reduce((a, s) => a + s.size, 0);
const incidents = m.list().length;
const result = {
  alertNotifications: notifications,
  distinctAlerts: distinct,
  causeAlerts: storm.truth.cause.size,
  noiseSources: storm.truth.noise.size,
  incidents,
  noiseReduction: 1 - incidents / distinct,
  causeInOneIncident: causeIncidents.size === 1,
  noiseKeptSeparate: noiseSeparate,
  simulateMs: Math.round(simMs),
  ingestMs: Math.round(ingestMs),
};
console.table([
  { metric: "alert notifications received (with repeats)", value: result.alertNotifications },
  { metric: "distinct alerts (fingerprints)", value: result.distinctAlerts },
  { metric: "  from the node failure", value: result.causeAlerts },
  { metric: "unrelated fault sources", value: result.noiseSources },
  { metric: "incidents out", value: result.incidents },
  {
    metric: "noise reduction (1 - incidents/distinct alerts)",
    value: result.noiseReduction.toFixed(3),
  },
  { metric: "cause in one incident", value: result.causeInOneIncident },
  { metric: "each unrelated fault its own incident", value: result.noiseKeptSeparate },
  { metric: "ingest time (ms)", value: result.ingestMs },
]);
mkdirSync(new URL("../results/", import.meta.url), { recursive: true });
writeFileSync(
  new URL("../results/storm.json", import.meta.url),
  `${JSON.stringify(result, null, 2)}\n`,
);
