import { describe, expect, it } from 'vitest';
import { FramePool } from '../../src/server/frame-pool.js';

describe('FramePool', () => {
  it('hands out buffers of exactly the asked size', () => {
    const pool = new FramePool();
    expect(pool.acquire(1_000_037)).toHaveLength(1_000_037);
    expect(pool.acquire(1)).toHaveLength(1);
  });

  it('reuses a slab only after its frame is released', () => {
    const pool = new FramePool();
    const a = pool.acquire(100_000);
    const b = pool.acquire(100_000);
    expect(b.buffer).not.toBe(a.buffer); // a is still in use
    pool.release(a);
    const c = pool.acquire(90_000);
    expect(c.buffer).toBe(a.buffer);
    expect(c.buffer).not.toBe(b.buffer);
  });

  it('ignores a second release and frames it did not hand out', () => {
    const pool = new FramePool();
    const a = pool.acquire(100_000);
    pool.release(a);
    pool.release(a);
    pool.release(Buffer.alloc(100_000));
    const b = pool.acquire(100_000);
    const c = pool.acquire(100_000);
    expect(b.buffer).toBe(a.buffer);
    expect(c.buffer).not.toBe(a.buffer); // the slab was queued once, not twice
  });

  it('does not pool frames above the slab limit, nor keep more idle bytes than allowed', () => {
    const pool = new FramePool(1 << 20, 1 << 20);
    const big = pool.acquire((1 << 20) + 1);
    pool.release(big);
    expect(pool.acquire((1 << 20) + 1).buffer).not.toBe(big.buffer);
    const a = pool.acquire(1 << 20);
    const b = pool.acquire(1 << 20);
    pool.release(a);
    pool.release(b); // over the idle limit: dropped
    expect(pool.acquire(1 << 20).buffer).toBe(a.buffer);
    expect(pool.acquire(1 << 20).buffer).not.toBe(b.buffer);
  });

  it('keeps nothing once closed', () => {
    const pool = new FramePool();
    const a = pool.acquire(100_000);
    pool.close();
    pool.release(a);
    expect(pool.acquire(100_000).buffer).not.toBe(a.buffer);
  });
});
