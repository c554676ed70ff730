/** snappyjs ships no types: the block-format codec Prometheus remote-write uses. */
declare module "snappyjs" {
  /** Throws when the header's uncompressed length exceeds `maxLength`. */
  export function uncompress<T extends Uint8Array | ArrayBuffer>(data: T, maxLength?: number): T;
  export function compress<T extends Uint8Array | ArrayBuffer>(data: T): T;
  const snappy: { uncompress: typeof uncompress; compress: typeof compress };
  export default snappy;
}
