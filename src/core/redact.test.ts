import { describe, expect, it } from "vitest";
import { REDACTED, redactObject, redactText } from "./redact.ts";

const AWS_KEY = "AKIAIOSFODNN7EXAMPLE";
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

describe("redactText", () => {
  it("masks cloud keys, tokens and key=value credentials in log lines", () => {
    const line = `boot: aws_access_key_id=${AWS_KEY} aws_secret_access_key=${AWS_SECRET} password=hunter2 Authorization: Bearer abc.def.ghijklmnop`;
    const out = redactText(line);
    for (const s of [AWS_KEY, AWS_SECRET, "hunter2", "abc.def.ghijklmnop"])
      expect(out).not.toContain(s);
    expect(out).toContain("boot:");
  });

  it("masks the password of a connection URL but keeps the host", () => {
    const out = redactText("connecting to postgres://app:s3cr3t-pw@db.prod:5432/app");
    expect(out).not.toContain("s3cr3t-pw");
    expect(out).toContain("db.prod:5432");
  });

  it("leaves ordinary text alone", () => {
    const line = "GET /healthz 200 in 3ms; connection refused to redis:6379";
    expect(redactText(line)).toBe(line);
  });
});

describe("redactObject", () => {
  it("blanks Secret data and key-like env values, keeps names", () => {
    const secret = { kind: "Secret", metadata: { name: "db" }, data: { password: "aHVudGVyMg==" } };
    const pod = {
      kind: "Pod",
      spec: {
        containers: [
          {
            name: "app",
            env: [
              { name: "DB_PASSWORD", value: "hunter2" },
              { name: "LOG_LEVEL", value: "debug" },
            ],
          },
        ],
      },
    };
    const out = JSON.stringify(redactObject({ items: [secret, pod] }));
    expect(out).not.toContain("aHVudGVyMg==");
    expect(out).not.toContain("hunter2");
    expect(out).toContain("DB_PASSWORD");
    expect(out).toContain("debug");
    expect(out).toContain(REDACTED);
  });

  it("masks ConfigMap values under key-like names and keeps the others", () => {
    const cm = { kind: "ConfigMap", data: { DB_PASSWORD: "hunter2", LOG_LEVEL: "info" } };
    expect(redactObject(cm).data).toEqual({ DB_PASSWORD: REDACTED, LOG_LEVEL: "info" });
  });
});
