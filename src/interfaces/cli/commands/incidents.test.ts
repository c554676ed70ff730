import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../../core/types.ts";
import { IncidentManager } from "../../../incidents/incidents.ts";
import { openDb } from "../../../store/sqlite.ts";
import { runIncidentsList, runIncidentsShow, runIncidentsSimilar } from "./incidents.ts";

const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);

const finding: Finding = {
  id: "f",
  kind: "problem",
  severity: "critical",
  subject: { kind: "Deployment", namespace: "shop", name: "api" },
  affected: [{ kind: "Pod", namespace: "shop", name: "api-1" }],
  rootCause: 'ConfigMap "api-config" does not exist in namespace shop',
  reason: "CreateContainerConfigError",
  evidence: [],
  confidence: 0.95,
  source: "test",
  time: T0,
};

describe("opsloop incidents", () => {
  it("lists, shows and searches stored incidents", () => {
    const file = join(mkdtempSync(join(tmpdir(), "incidents-")), "opsloop.db");
    const db = openDb(file);
    const m = new IncidentManager(db, { resolveAfterMs: 60_000 });
    const [ev] = m.ingest([finding], T0);
    m.ingest([], T0 + 120_000);
    db.close();
    const list = runIncidentsList({ db: file, output: "table" }).split("\n");
    expect(list[0]).toMatch(/^ID\s+STATUS\s+SEVERITY\s+OPENED\s+MTTR\s+SIGS\s+TITLE$/);
    expect(list[1]).toMatch(
      /resolved\s+critical\s+2026-01-05T00:00:00Z\s+0s\s+1\s+CreateContainerConfigError in deployment shop\/api$/,
    );
    const id = ev?.incident.id as string;
    const shown = runIncidentsShow(id.slice(0, 8), { db: file, output: "table" });
    expect(shown).toContain('root cause: ConfigMap "api-config" does not exist in namespace shop');
    const hits = JSON.parse(
      runIncidentsSimilar("missing configmap api-config", { db: file, output: "json" }),
    ) as {
      entry: { incidentId: string };
    }[];
    expect(hits[0]?.entry.incidentId).toBe(id);
    expect(() => runIncidentsShow("nope", { db: file, output: "table" })).toThrow(
      /no incident nope/,
    );
  });
});
