/**
 * The subset of the OTLP metrics protocol (opentelemetry-proto v1: collector/metrics/v1/
 * metrics_service.proto, metrics/v1/metrics.proto, common/v1/common.proto,
 * resource/v1/resource.proto) opsloop decodes, written by hand as a protobufjs JSON descriptor
 * with the spec's field numbers. Field names are the lowerCamelCase JSON names, so one
 * protobufjs `toObject` gives the same shape as OTLP/JSON. Exponential histograms and exemplars
 * are not decoded (unknown fields are skipped by protobuf).
 */
import protobuf from "protobufjs";

const rep = (type: string, id: number) => ({ rule: "repeated", type, id });
const one = (type: string, id: number) => ({ type, id });

const descriptor = {
  nested: {
    otlp: {
      nested: {
        ExportMetricsServiceRequest: { fields: { resourceMetrics: rep("ResourceMetrics", 1) } },
        ExportMetricsServiceResponse: { fields: { partialSuccess: one("PartialSuccess", 1) } },
        PartialSuccess: {
          fields: { rejectedDataPoints: one("int64", 1), errorMessage: one("string", 2) },
        },
        ResourceMetrics: {
          fields: {
            resource: one("Resource", 1),
            scopeMetrics: rep("ScopeMetrics", 2),
            schemaUrl: one("string", 3),
          },
        },
        Resource: { fields: { attributes: rep("KeyValue", 1) } },
        ScopeMetrics: {
          fields: {
            scope: one("Scope", 1),
            metrics: rep("Metric", 2),
            schemaUrl: one("string", 3),
          },
        },
        Scope: { fields: { name: one("string", 1), version: one("string", 2) } },
        Metric: {
          oneofs: { data: { oneof: ["gauge", "sum", "histogram", "summary"] } },
          fields: {
            name: one("string", 1),
            description: one("string", 2),
            unit: one("string", 3),
            gauge: one("Gauge", 5),
            sum: one("Sum", 7),
            histogram: one("Histogram", 9),
            summary: one("Summary", 11),
          },
        },
        Gauge: { fields: { dataPoints: rep("NumberDataPoint", 1) } },
        Sum: {
          fields: {
            dataPoints: rep("NumberDataPoint", 1),
            aggregationTemporality: one("int32", 2),
            isMonotonic: one("bool", 3),
          },
        },
        Histogram: {
          fields: {
            dataPoints: rep("HistogramDataPoint", 1),
            aggregationTemporality: one("int32", 2),
          },
        },
        Summary: { fields: { dataPoints: rep("SummaryDataPoint", 1) } },
        NumberDataPoint: {
          oneofs: { value: { oneof: ["asDouble", "asInt"] } },
          fields: {
            attributes: rep("KeyValue", 7),
            startTimeUnixNano: one("fixed64", 2),
            timeUnixNano: one("fixed64", 3),
            asDouble: one("double", 4),
            asInt: one("sfixed64", 6),
            flags: one("uint32", 8),
          },
        },
        HistogramDataPoint: {
          fields: {
            attributes: rep("KeyValue", 9),
            startTimeUnixNano: one("fixed64", 2),
            timeUnixNano: one("fixed64", 3),
            count: one("fixed64", 4),
            sum: one("double", 5),
            bucketCounts: rep("fixed64", 6),
            explicitBounds: rep("double", 7),
            flags: one("uint32", 10),
          },
        },
        SummaryDataPoint: {
          fields: {
            attributes: rep("KeyValue", 7),
            startTimeUnixNano: one("fixed64", 2),
            timeUnixNano: one("fixed64", 3),
            count: one("fixed64", 4),
            sum: one("double", 5),
            quantileValues: rep("ValueAtQuantile", 6),
            flags: one("uint32", 8),
          },
        },
        ValueAtQuantile: { fields: { quantile: one("double", 1), value: one("double", 2) } },
        KeyValue: { fields: { key: one("string", 1), value: one("AnyValue", 2) } },
        AnyValue: {
          oneofs: {
            value: {
              oneof: [
                "stringValue",
                "boolValue",
                "intValue",
                "doubleValue",
                "arrayValue",
                "kvlistValue",
                "bytesValue",
              ],
            },
          },
          fields: {
            stringValue: one("string", 1),
            boolValue: one("bool", 2),
            intValue: one("int64", 3),
            doubleValue: one("double", 4),
            arrayValue: one("ArrayValue", 5),
            kvlistValue: one("KeyValueList", 6),
            bytesValue: one("bytes", 7),
          },
        },
        ArrayValue: { fields: { values: rep("AnyValue", 1) } },
        KeyValueList: { fields: { values: rep("KeyValue", 1) } },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(descriptor);
export const ExportMetricsServiceRequest = root.lookupType("otlp.ExportMetricsServiceRequest");
export const ExportMetricsServiceResponse = root.lookupType("otlp.ExportMetricsServiceResponse");

/** The decoded request, as OTLP/JSON spells it; 64-bit integers may be numbers or strings. */
export type Num = number | string;
export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: Num;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
  bytesValue?: string;
}
export interface KeyValue {
  key?: string;
  value?: AnyValue;
}
export interface NumberDataPoint {
  attributes?: KeyValue[];
  timeUnixNano?: Num;
  asDouble?: number;
  asInt?: Num;
  flags?: number;
}
export interface HistogramDataPoint {
  attributes?: KeyValue[];
  timeUnixNano?: Num;
  count?: Num;
  sum?: number;
  bucketCounts?: Num[];
  explicitBounds?: number[];
  flags?: number;
}
export interface SummaryDataPoint {
  attributes?: KeyValue[];
  timeUnixNano?: Num;
  count?: Num;
  sum?: number;
  quantileValues?: { quantile?: number; value?: number }[];
  flags?: number;
}
export interface OtlpMetric {
  name?: string;
  unit?: string;
  gauge?: { dataPoints?: NumberDataPoint[] };
  sum?: { dataPoints?: NumberDataPoint[]; aggregationTemporality?: number; isMonotonic?: boolean };
  histogram?: { dataPoints?: HistogramDataPoint[]; aggregationTemporality?: number };
  summary?: { dataPoints?: SummaryDataPoint[] };
}
export interface ExportRequest {
  resourceMetrics?: {
    resource?: { attributes?: KeyValue[] };
    scopeMetrics?: { scope?: { name?: string }; metrics?: OtlpMetric[] }[];
  }[];
}
