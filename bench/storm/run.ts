/**
 * `npm run bench:storm`: replays two simulated alert storms (bench/storm/storm-sim.ts) through
 * the incident manager — a node failure (every pod on it alerts) and a database outage (every
 * caller's pods alert) — and reports alerts in vs incidents out, noise reduction, and whether
 * the cause and every unrelated fault kept their own incident. The common vendor claim for
 * alert grouping is 80-90% less noise; there is no published benchmark for this setup.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { IncidentManager } from "../../src/incidents/incidents.ts";
import type { Topology } from "../../src/incidents/topology.ts";
import { alertToSignal } from "../../src/sources/alertmanager/payload.ts";
import { openDb } from "../../src/store/sqlite.ts";
import { simulateStorm } from "./storm-sim.ts";

function replay(cause: "node" | "database") {
  const started = performance.now();
  const storm = simulateStorm({ cause });
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
  return {
    storm: cause === "node" ? "node failure" : "database outage",
    alertNotifications: notifications,
    distinctAlerts: distinct,
    causeAlerts: storm.truth.cause.size,
    noiseSources: storm.truth.noise.size,
    incidents,
    noiseReduction: Number((1 - incidents / distinct).toFixed(3)),
    causeInOneIncident: causeIncidents.size === 1,
    noiseKeptSeparate: noiseSeparate,
    simulateMs: Math.round(simMs),
    ingestMs: Math.round(ingestMs),
  };
}

const results = [replay("node"), replay("database")];
console.table(
  results.map((r) => ({
    storm: r.storm,
    "notifications in": r.alertNotifications,
    "distinct alerts": r.distinctAlerts,
    "from the cause": r.causeAlerts,
    "unrelated faults": r.noiseSources,
    "incidents out": r.incidents,
    "noise reduction": r.noiseReduction,
    "cause in one": r.causeInOneIncident,
    "faults apart": r.noiseKeptSeparate,
    "ingest ms": r.ingestMs,
  })),
);
mkdirSync(new URL("../results/", import.meta.url), { recursive: true });
writeFileSync(
  new URL("../results/storm.json", import.meta.url),
  `${JSON.stringify(results, null, 2)}\n`,
);
