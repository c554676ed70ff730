import { describe, expect, it } from "vitest";
import { paint } from "./demo-output.ts";

describe("paint", () => {
  const line = "2026-01-05T00:00:24Z OPENED   [diagnosed] api down\n";

  it("leaves lines for pipes and files untouched", () => {
    expect(paint(line, false)).toBe(line);
  });

  it("colours only the event keyword on a terminal", () => {
    expect(paint(line, true)).toBe(
      "2026-01-05T00:00:24Z \x1b[33mOPENED\x1b[0m   [diagnosed] api down\n",
    );
  });
});
