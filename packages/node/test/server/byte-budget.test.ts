import { describe, expect, it, vi } from 'vitest';
import { ByteBudget } from '../../src/server/byte-budget.js';

describe('ByteBudget', () => {
  it('is exhausted once the bytes taken reach the limit', () => {
    const budget = new ByteBudget(100);
    budget.take(60);
    expect(budget.exhausted).toBe(false);
    budget.take(40);
    expect(budget.used).toBe(100);
    expect(budget.exhausted).toBe(true);
    budget.give(1);
    expect(budget.exhausted).toBe(false);
  });

  it('lets one request larger than the whole limit through rather than stall', () => {
    const budget = new ByteBudget(100);
    expect(budget.exhausted).toBe(false);
    budget.take(1_000);
    expect(budget.exhausted).toBe(true);
    budget.give(1_000);
    expect(budget.used).toBe(0);
  });

  it('calls its waiters when it stops being exhausted, not on every give', () => {
    const budget = new ByteBudget(100);
    const waiter = vi.fn();
    const unsubscribe = budget.onAvailable(waiter);
    budget.take(50);
    budget.give(50);
    expect(waiter).not.toHaveBeenCalled();
    budget.take(150);
    budget.give(10);
    expect(waiter).not.toHaveBeenCalled(); // still exhausted
    budget.give(40);
    expect(waiter).not.toHaveBeenCalled(); // 100 of 100: still exhausted
    budget.give(1);
    expect(waiter).toHaveBeenCalledTimes(1);
    unsubscribe();
    budget.take(100);
    budget.give(100);
    expect(waiter).toHaveBeenCalledTimes(1);
  });

  it('tolerates a waiter unsubscribing while being called', () => {
    const budget = new ByteBudget(10);
    const calls: string[] = [];
    const offA = budget.onAvailable(() => {
      calls.push('a');
      offA();
    });
    budget.onAvailable(() => calls.push('b'));
    budget.take(10);
    budget.give(10);
    budget.take(10);
    budget.give(10);
    expect(calls).toEqual(['a', 'b', 'b']);
  });
});
