/**
 * Prometheus remote-write 1.0 decoding (prometheus.io/docs/specs/remote_write_spec): the body is
 * a snappy *block*-format (not framed) compressed protobuf `prometheus.WriteRequest`. The schema
 * below is the 1.0 subset of prompb/remote.proto + types.proto written as a protobufjs JSON
 * descriptor; native histograms and exemplars (fields 3/4 of TimeSeries) are skipped, and
 * metadata (field 3 of WriteRequest) is ignored, as the spec allows receivers to.
 */
import protobuf from "protobufjs";
import snappy from "snappyjs";
import { OpsloopError } from "../../core/errors.ts";
import type { Sample } from "./scrape.ts";

const root = protobuf.Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        WriteRequest: { fields: { timeseries: { rule: "repeated", type: "TimeSeries", id: 1 } } },
        TimeSeries: {
          fields: {
            labels: { rule: "repeated", type: "Label", id: 1 },
            samples: { rule: "repeated", type: "Sample", id: 2 },
          },
        },
        Label: { fields: { name: { type: "string", id: 1 }, value: { type: "string", id: 2 } } },
        Sample: {
          fields: { value: { type: "double", id: 1 }, timestamp: { type: "int64", id: 2 } },
        },
      },
    },
  },
});

export const WriteRequest = root.lookupType("prometheus.WriteRequest");

interface DecodedSeries {
  labels?: { name?: string; value?: string }[];
  samples?: { value?: number; timestamp?: number }[];
}

/** A decompressed body larger than this is refused (a snappy bomb is a few KB on the wire). */
export const MAX_DECOMPRESSED_BYTES = 64 * 2 ** 20;

/**
 * Decodes a remote-write body into samples. Label `__name__` becomes the sample name; the
 * spec requires it, so series without one are refused as the sender's mistake.
 */
export function decodeRemoteWrite(body: Uint8Array): Sample[] {
  let raw: Uint8Array;
  try {
    raw = snappy.uncompress(body, MAX_DECOMPRESSED_BYTES) as Uint8Array;
  } catch (e) {
    throw new OpsloopError(
      "invalid_input",
      `remote-write body is not snappy block data: ${msg(e)}`,
    );
  }
  let message: { timeseries?: DecodedSeries[] };
  try {
    message = WriteRequest.toObject(WriteRequest.decode(raw), { longs: Number }) as typeof message;
  } catch (e) {
    throw new OpsloopError("invalid_input", `remote-write body is not a WriteRequest: ${msg(e)}`);
  }
  const out: Sample[] = [];
  for (const ts of message.timeseries ?? []) {
    const labels: Record<string, string> = {};
    let name = "";
    for (const l of ts.labels ?? []) {
      if (l.name === "__name__") name = l.value ?? "";
      else if (l.name) labels[l.name] = l.value ?? "";
    }
    if (!name) throw new OpsloopError("invalid_input", "remote-write series without __name__");
    for (const s of ts.samples ?? []) {
      out.push({ name, labels, t: s.timestamp ?? 0, v: s.value ?? 0 });
    }
  }
  return out;
}

/** Encodes samples as a remote-write body (tests and forwarding); one series per name+labels. */
export function encodeRemoteWrite(samples: readonly Sample[]): Uint8Array {
  const series = new Map<string, DecodedSeries>();
  for (const s of samples) {
    const key = JSON.stringify([s.name, s.labels]);
    let ts = series.get(key);
    if (!ts) {
      const labels = Object.entries({ ...s.labels, __name__: s.name })
        .map(([name, value]) => ({ name, value }))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
      ts = { labels, samples: [] };
      series.set(key, ts);
    }
    ts.samples?.push({ value: s.v, timestamp: s.t });
  }
  const msgBytes = WriteRequest.encode(
    WriteRequest.fromObject({ timeseries: [...series.values()] }),
  ).finish();
  return snappy.compress(msgBytes) as Uint8Array;
}

function msg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
