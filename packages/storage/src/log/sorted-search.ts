/**
 * Index of the last of `length` ascending keys that is ≤ `target`, or -1 (the lookup both sparse
 * indexes make: offset → position and timestamp → offset).
 */
export function lastAtOrBelow<T extends number | bigint>(length: number, keyAt: (i: number) => T, target: T): number {
  let lo = 0;
  let hi = length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (keyAt(mid) <= target) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
