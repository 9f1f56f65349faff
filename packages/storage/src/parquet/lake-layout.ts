/**
 * Object key of a partition's Parquet file in lake layout (BRIEF §5):
 * `{prefix}/{topic}/partition={p}/{first:020}-{last:020}.parquet`. Offsets are zero-padded to 20
 * digits so keys sort in offset order; an empty prefix gives keys without a leading slash.
 */
export function lakeObjectKey(prefix: string, topic: string, partition: number, firstOffset: bigint, lastOffset: bigint): string {
  if (firstOffset < 0n || lastOffset < firstOffset) throw new RangeError(`bad offset range ${firstOffset}-${lastOffset}`);
  const pad = (o: bigint): string => o.toString().padStart(20, '0');
  const head = prefix.replace(/\/+$/, '');
  return `${head === '' ? '' : `${head}/`}${topic}/partition=${partition}/${pad(firstOffset)}-${pad(lastOffset)}.parquet`;
}
