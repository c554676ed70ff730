/** Protocol-buffer wire format reading (varints and length-delimited fields), no schema. */
export interface Field {
  num: number;
  wire: number;
  /** varint / fixed values as numbers; length-delimited values as bytes. */
  value: number | Uint8Array;
}

export function readFields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let mul = 1;
    for (;;) {
      if (pos >= buf.length) throw new Error("truncated varint");
      const b = buf[pos++] as number;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
  };
  while (pos < buf.length) {
    const key = varint();
    const num = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) out.push({ num, wire, value: varint() });
    else if (wire === 2) {
      const len = varint();
      out.push({ num, wire, value: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 1) {
      out.push({
        num,
        wire,
        value: new DataView(buf.buffer, buf.byteOffset + pos, 8).getFloat64(0, true),
      });
      pos += 8;
    } else if (wire === 5) {
      out.push({
        num,
        wire,
        value: new DataView(buf.buffer, buf.byteOffset + pos, 4).getUint32(0, true),
      });
      pos += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}
