import { describe, expect, it } from "vitest";
import { FixedClock } from "../core/clock.ts";
import { openDb } from "../store/sqlite.ts";
import { AuditLog } from "./audit.ts";

const AWS_KEY = "AKIAIOSFODNN7EXAMPLE";
const PASSWORD = "hunter2-s3cret";

describe("audit export and redaction", () => {
  it("never stores an AWS key or a password given in details, why or the target", () => {
    const db = openDb(":memory:");
    const log = new AuditLog(db, new FixedClock());
    const rec = log.append({
      actor: "opsloop/agent",
      action: "rollout-restart",
      target: { kind: "Deployment", namespace: "shop", name: "worker" },
      why: `env had AWS_ACCESS_KEY_ID=${AWS_KEY}`,
      result: "applied",
      details: {
        env: [{ name: "DB_PASSWORD", value: PASSWORD }],
        log: `connecting with password=${PASSWORD}`,
        secret: { kind: "Secret", data: { token: "c2VjcmV0LXZhbHVl" } },
      },
    });
    const stored = (db.prepare("SELECT body FROM audit").all() as { body: string }[])
      .map((r) => r.body)
      .join("\n");
    for (const text of [stored, JSON.stringify(rec), [...log.exportLines()].join("\n")]) {
      expect(text).not.toContain(AWS_KEY);
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain("c2VjcmV0LXZhbHVl");
      expect(text).toContain("[REDACTED]");
    }
    expect(log.verify()).toEqual({ ok: true, count: 1 });
  });

  it("exports every record oldest first as one JSON object per line with its chain hashes", () => {
    const db = openDb(":memory:");
    const clock = new FixedClock();
    const log = new AuditLog(db, clock);
    for (let i = 0; i < 1203; i++) {
      clock.advance(1000);
      log.append({ actor: "t", action: "notify", result: i % 2 ? "applied" : "denied" });
    }
    const lines = [...log.exportLines()];
    expect(lines).toHaveLength(1203);
    const parsed = lines.map(
      (l) => JSON.parse(l) as { seq: number; hash: string; prevHash: string },
    );
    expect(parsed.map((p) => p.seq)).toEqual(Array.from({ length: 1203 }, (_, i) => i + 1));
    expect(parsed[1]?.prevHash).toBe(parsed[0]?.hash);
    const since = [...log.exportLines({ since: clock.now() - 2000 })];
    expect(since).toHaveLength(3);
  });
});
