import { describe, expect, it } from 'vitest';
import { electDisklessLeader } from '../src/cluster-controller.js';

const state = (leader: number, replicas: number[], epoch = 3) => ({ partition: 5, replicas, leader, leaderEpoch: epoch, isr: replicas });

describe('electDisklessLeader', () => {
  it('leaves a partition whose leader is alive alone', () => {
    expect(electDisklessLeader(state(1, [1]), new Set([1, 2]))).toBeUndefined();
  });

  it('moves a partition of a dead node to a live assigned replica first, else to any live broker', () => {
    expect(electDisklessLeader(state(1, [1, 3]), new Set([2, 3]))).toEqual({ replicas: [3], leader: 3, leaderEpoch: 4, isr: [3] });
    // Partition 5 over live [2, 4, 7]: index 5 % 3 = 2.
    expect(electDisklessLeader(state(1, [1]), new Set([7, 2, 4]))).toEqual({ replicas: [7], leader: 7, leaderEpoch: 4, isr: [7] });
  });

  it('takes an offline partition back as soon as any broker is alive, and goes offline when none is', () => {
    expect(electDisklessLeader(state(-1, [1]), new Set([2]))).toEqual({ replicas: [2], leader: 2, leaderEpoch: 4, isr: [2] });
    expect(electDisklessLeader(state(1, [1]), new Set())).toEqual({ replicas: [1], leader: -1, leaderEpoch: 4, isr: [1] });
    expect(electDisklessLeader(state(-1, [1]), new Set())).toBeUndefined();
  });
});
