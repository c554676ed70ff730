import { describe, expect, it } from "vitest";
import { mergePatch } from "./merge-patch.ts";
import { strategicMergePatch } from "./strategic.ts";

const pod = {
  metadata: { name: "p", labels: { a: "1", b: "2" }, finalizers: ["x"] },
  spec: {
    containers: [
      {
        name: "app",
        image: "app:v1",
        env: [{ name: "A", value: "1" }],
        ports: [{ containerPort: 80 }],
      },
      { name: "side", image: "side:v1" },
    ],
    tolerations: [{ key: "k", operator: "Exists" }],
  },
};

describe("strategic merge patch", () => {
  it("merges containers by name and env by name", () => {
    const out = strategicMergePatch(pod, {
      spec: { containers: [{ name: "app", env: [{ name: "B", value: "2" }] }] },
    }) as typeof pod;
    expect(out.spec.containers[0]?.env).toEqual([
      { name: "A", value: "1" },
      { name: "B", value: "2" },
    ]);
    expect(out.spec.containers[0]?.image).toBe("app:v1");
    expect(out.spec.containers).toHaveLength(2);
  });

  it("deletes a field given null and a list element given $patch: delete", () => {
    const out = strategicMergePatch(pod, {
      metadata: { labels: { a: null } },
      spec: { containers: [{ name: "side", $patch: "delete" }] },
    }) as typeof pod;
    expect(out.metadata.labels).toEqual({ b: "2" });
    expect(out.spec.containers.map((c) => c.name)).toEqual(["app"]);
  });

  it("replaces a list or a map given $patch: replace", () => {
    const out = strategicMergePatch(pod, {
      spec: { containers: [{ name: "only", image: "o:1" }, { $patch: "replace" }] },
      metadata: { labels: { c: "3", $patch: "replace" } },
    }) as typeof pod;
    expect(out.spec.containers).toEqual([{ name: "only", image: "o:1" }]);
    expect(out.metadata.labels).toEqual({ c: "3" });
  });

  it("orders a merged list by $setElementOrder", () => {
    const out = strategicMergePatch(pod, {
      spec: {
        "$setElementOrder/containers": [{ name: "side" }, { name: "app" }],
        containers: [{ name: "app", image: "app:v9" }],
      },
    }) as typeof pod;
    expect(out.spec.containers.map((c) => `${c.name}=${c.image}`)).toEqual([
      "side=side:v1",
      "app=app:v9",
    ]);
  });

  it("keeps only the listed keys given $retainKeys", () => {
    const out = strategicMergePatch(
      { spec: { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } } },
      { spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } } },
    );
    expect(out).toEqual({ spec: { strategy: { type: "Recreate" } } });
  });

  it("unions primitive merge lists and removes with $deleteFromPrimitiveList", () => {
    const added = strategicMergePatch(pod, { metadata: { finalizers: ["y"] } }) as typeof pod;
    expect(added.metadata.finalizers).toEqual(["x", "y"]);
    const removed = strategicMergePatch(added, {
      metadata: { "$deleteFromPrimitiveList/finalizers": ["x"] },
    }) as typeof pod;
    expect(removed.metadata.finalizers).toEqual(["y"]);
  });

  it("replaces lists without a merge key, such as tolerations", () => {
    const out = strategicMergePatch(pod, {
      spec: { tolerations: [{ key: "z", operator: "Exists" }] },
    }) as typeof pod;
    expect(out.spec.tolerations).toEqual([{ key: "z", operator: "Exists" }]);
  });

  it("merges container ports by containerPort and conditions by type", () => {
    const out = strategicMergePatch(pod, {
      spec: {
        containers: [
          { name: "app", ports: [{ containerPort: 80, name: "http" }, { containerPort: 9090 }] },
        ],
      },
      status: { conditions: [{ type: "Ready", status: "True" }] },
    }) as typeof pod & { status: { conditions: unknown[] } };
    expect(out.spec.containers[0]?.ports).toEqual([
      { containerPort: 80, name: "http" },
      { containerPort: 9090 },
    ]);
    const again = strategicMergePatch(out, {
      status: { conditions: [{ type: "Ready", status: "False" }] },
    }) as typeof out;
    expect(again.status.conditions).toEqual([{ type: "Ready", status: "False" }]);
  });

  it("never changes its input", () => {
    const frozen = structuredClone(pod);
    strategicMergePatch(frozen, { spec: { containers: [{ name: "app", image: "x" }] } });
    expect(frozen).toEqual(pod);
  });
});

describe("JSON merge patch (RFC 7386)", () => {
  it("merges objects, deletes nulls and replaces lists", () => {
    expect(mergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] })).toEqual({
      a: { c: 2, d: 3 },
      l: [3],
    });
  });
});
