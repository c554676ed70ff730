import { describe, expect, it } from "vitest";
import { FixedClock } from "../core/clock.ts";
import { openDb } from "../store/sqlite.ts";
import { AuditLog, canonicalJson } from "./audit.ts";

function logWithThree() {
  const db = openDb(":memory:");
  const clock = new FixedClock();
  const log = new AuditLog(db, clock);
  for (const result of ["applied", "denied", "applied"]) {
    clock.advance(1000);
    log.append({ actor: "opsloop", action: "rollout-restart", target: { name: "worker" }, result });
  }
  return { db, log };
}

describe("audit log", () => {
  it("chains every record to the previous one and verifies an untouched log", () => {
    const { log } = logWithThree();
    const records = log.list();
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(records[1]?.prevHash).toBe(records[0]?.hash);
    expect(log.verify()).toEqual({ ok: true, count: 3 });
  });

  it("refuses updates and deletes at the database level", () => {
    const { db } = logWithThree();
    expect(() => db.exec("UPDATE audit SET body = '{}' WHERE seq = 2")).toThrow(/append-only/);
    expect(() => db.exec("DELETE FROM audit WHERE seq = 2")).toThrow(/append-only/);
  });

  it("detects a record whose content was altered behind the triggers' back", () => {
    const { db, log } = logWithThree();
    db.exec("DROP TRIGGER audit_no_update");
    db.exec(`UPDATE audit SET body = replace(body, '"denied"', '"applied"') WHERE seq = 2`);
    expect(log.verify()).toEqual({ ok: false, seq: 2, reason: "record content was altered" });
  });

  it("detects a removed record", () => {
    const { db, log } = logWithThree();
    db.exec("DROP TRIGGER audit_no_delete");
    db.exec("DELETE FROM audit WHERE seq = 2");
    expect(log.verify()).toMatchObject({ ok: false, seq: 3 });
  });

  it("hashes objects independently of key order", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}',
    );
  });
});
