import { describe, expect, it } from "vitest";
import { classifyPullError } from "./image-pull.ts";
import { decisiveLog, exitMeaning, matchLine } from "./log-patterns.ts";
import { decodeFitError, reasonCounts } from "./scheduling-message.ts";

describe("scheduler FitError decoding", () => {
  it("turns the histogram into counts per reason and drops the preemption suffix", () => {
    const f = decodeFitError(
      "0/5 nodes are available: 1 node(s) had untolerated taint {dedicated: ml}, 1 node(s) were unschedulable, 3 Insufficient cpu. preemption: 0/5 nodes are available: 2 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.",
    );
    expect(f?.nodes).toBe(5);
    expect(f && reasonCounts(f)).toEqual({
      "node(s) had untolerated taint {dedicated: ml}": 1,
      "node(s) were unschedulable": 1,
      "Insufficient cpu": 3,
    });
    expect(f?.reasons[0]?.taint).toEqual({ key: "dedicated", value: "ml" });
    expect(f?.reasons[2]?.insufficient).toBe("cpu");
  });

  it("reads a PreFilter message as applying to every node", () => {
    const f = decodeFitError(
      "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
    expect(f?.reasons).toEqual([{ reason: "pod has unbound immediate PersistentVolumeClaims" }]);
    expect(f && reasonCounts(f)).toEqual({ "pod has unbound immediate PersistentVolumeClaims": 3 });
  });

  it("keeps messages without the preemption suffix and ignores non-FitError messages", () => {
    expect(
      decodeFitError(
        "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.",
      )?.reasons,
    ).toEqual([{ count: 1, reason: "node(s) didn't match Pod's node affinity/selector" }]);
    expect(decodeFitError("no nodes available to schedule pods")?.nodes).toBe(0);
    expect(decodeFitError('binding rejected: pods "x" not found')).toBeUndefined();
  });
});

describe("image pull error classification", () => {
  it("tells a missing tag from credentials, rate limits and an unreachable registry", () => {
    expect(
      classifyPullError(
        'rpc error: code = NotFound desc = failed to pull and unpack image "ghcr.io/acme/api:2.4.1": failed to resolve reference "ghcr.io/acme/api:2.4.1": ghcr.io/acme/api:2.4.1: not found',
      ),
    ).toBe("not-found");
    expect(
      classifyPullError(
        'rpc error: code = Unknown desc = failed to pull and unpack image "r.io/x:1": failed to resolve reference "r.io/x:1": failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://r.io/token: 401 Unauthorized',
      ),
    ).toBe("unauthorized");
    expect(
      classifyPullError(
        'failed to pull and unpack image "docker.io/library/nginx:1.27": failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/library/nginx/manifests/sha256:abc: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit.',
      ),
    ).toBe("rate-limited");
    expect(
      classifyPullError(
        'failed to resolve reference "reg.internal/x:1": failed to do request: Head "https://reg.internal/v2/x/manifests/1": dial tcp: lookup reg.internal: no such host',
      ),
    ).toBe("unreachable");
    expect(classifyPullError("something else entirely")).toBe("unknown");
  });
});

describe("crash log classification", () => {
  it("names the missing variable, the refused address, the bad flag and the denied path", () => {
    expect(matchLine("FATAL: required environment variable DATABASE_URL is not set")).toMatchObject(
      {
        cause: "missing-env",
        detail: "DATABASE_URL",
      },
    );
    expect(matchLine("panic: config: DB_DSN is required")).toMatchObject({
      cause: "missing-env",
      detail: "DB_DSN",
    });
    expect(matchLine("dial tcp 10.96.0.12:5432: connect: connection refused")).toMatchObject({
      cause: "connection-refused",
      detail: "10.96.0.12:5432",
    });
    expect(matchLine("flag provided but not defined: -listen-addr")).toMatchObject({
      cause: "bad-flag",
      detail: "-listen-addr",
    });
    expect(matchLine("open /data/index.lock: permission denied")).toMatchObject({
      cause: "permission-denied",
      detail: "/data/index.lock",
    });
  });

  it("prefers the most specific line over a later generic error and redacts secrets", () => {
    const log = [
      "starting",
      "panic: runtime error: invalid memory address or nil pointer dereference",
      "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a1b2c]",
      "goroutine 1 [running]:",
      "error: exiting",
    ].join("\n");
    expect(decisiveLog(log)?.line).toBe(
      "panic: runtime error: invalid memory address or nil pointer dereference",
    );
    const leaked = decisiveLog(
      "starting\nFATAL: cannot connect to postgres://app:hunter2@db:5432/shop",
    );
    expect(leaked?.line).toBe("FATAL: cannot connect to postgres://app:[REDACTED]@db:5432/shop");
  });

  it("reads exit codes above 128 as signals", () => {
    expect(exitMeaning(137)).toBe("killed by SIGKILL");
    expect(exitMeaning(139)).toBe("killed by SIGSEGV");
    expect(exitMeaning(143)).toBe("killed by SIGTERM");
    expect(exitMeaning(127)).toBe("command not found");
    expect(exitMeaning(1)).toBeUndefined();
  });
});
