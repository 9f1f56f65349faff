import { describe, expect, it } from 'vitest';
import { BoundedMailbox, MailboxFullError, type BatchOp } from '../src/mailbox.js';

/** A promise with its resolve function, to hold an operation open until the test releases it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Lets every already-queued promise reaction and I/O callback run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('BoundedMailbox', () => {
  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new BoundedMailbox(0)).toThrow(RangeError);
    expect(() => new BoundedMailbox(1.5)).toThrow(RangeError);
  });

  it('runs operations in submission order, one at a time', async () => {
    const mailbox = new BoundedMailbox(16);
    const events: string[] = [];
    let running = 0;
    let maxRunning = 0;
    // Earlier operations take longer, so any overlap would reorder the "end" events.
    const results = await Promise.all(
      [5, 4, 3, 2, 1, 0].map((delayMs, i) =>
        mailbox.submit(async () => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          events.push(`start ${i}`);
          await new Promise((r) => setTimeout(r, delayMs));
          events.push(`end ${i}`);
          running--;
          return i;
        }),
      ),
    );
    expect(results).toEqual([0, 1, 2, 3, 4, 5]);
    expect(maxRunning).toBe(1);
    expect(events).toEqual([0, 1, 2, 3, 4, 5].flatMap((i) => [`start ${i}`, `end ${i}`]));
  });

  it('fails fast with a retriable MailboxFullError when the queue is full, without waiting for room', async () => {
    const mailbox = new BoundedMailbox(2);
    const hold = gate();
    const running = mailbox.submit(() => hold.promise.then(() => 'first'));
    const queued = [mailbox.submit(() => Promise.resolve('second')), mailbox.submit(() => Promise.resolve('third'))];
    expect(mailbox.depth).toBe(3);

    // The running operation is still held open: the rejection cannot have waited for it.
    let settledWhileHeld = false;
    const full = mailbox.submit(() => Promise.resolve('fourth')).finally(() => {
      settledWhileHeld = true;
    });
    await expect(full).rejects.toBeInstanceOf(MailboxFullError);
    expect(settledWhileHeld).toBe(true);
    const err = await full.catch((e: unknown) => e);
    expect(err).toMatchObject({ retriable: true, name: 'MailboxFullError' });

    hold.open();
    expect(await running).toBe('first');
    expect(await Promise.all(queued)).toEqual(['second', 'third']);
    expect(mailbox.depth).toBe(0);
    // Room again once the queue drained.
    expect(await mailbox.submit(() => Promise.resolve('fifth'))).toBe('fifth');
  });

  it('keeps going after an operation rejects', async () => {
    const mailbox = new BoundedMailbox(4);
    const failing = mailbox.submit(() => Promise.reject(new Error('boom')));
    const next = mailbox.submit(() => Promise.resolve('after'));
    await expect(failing).rejects.toThrow('boom');
    expect(await next).toBe('after');
  });

  it('keeps going after an operation throws before returning its promise', async () => {
    const mailbox = new BoundedMailbox(4);
    const hold = gate();
    const first = mailbox.submit(() => hold.promise);
    const throwing = mailbox.submit((): Promise<string> => {
      throw new Error('sync boom');
    });
    const next = mailbox.submit(() => Promise.resolve('after'));
    hold.open();
    await first;
    await expect(throwing).rejects.toThrow('sync boom');
    // Must not be stranded behind the throwing operation.
    const outcome = await Promise.race([next, settle().then(settle).then(() => 'stalled')]);
    expect(outcome).toBe('after');
    expect(mailbox.depth).toBe(0);
  });

  it('close() waits for queued work, then refuses new work', async () => {
    const mailbox = new BoundedMailbox(4);
    const hold = gate();
    const done: number[] = [];
    const ops = [0, 1, 2].map((i) =>
      mailbox.submit(async () => {
        if (i === 0) await hold.promise;
        done.push(i);
      }),
    );
    let closed = false;
    const closing = mailbox.close().then(() => {
      closed = true;
    });
    await settle();
    expect(closed).toBe(false);
    await expect(mailbox.submit(() => Promise.resolve(1))).rejects.toBeInstanceOf(MailboxFullError);
    hold.open();
    await closing;
    expect(done).toEqual([0, 1, 2]);
    await Promise.all(ops);
    expect(mailbox.depth).toBe(0);
  });

  describe('batched items', () => {
    /** An op that doubles numbers, records its groups, and answers negative items with an Error. */
    function doubler(maxItems = 10, maxWeight = 100): BatchOp<number, number> & { groups: number[][] } {
      const groups: number[][] = [];
      return {
        groups,
        maxItems,
        maxWeight,
        run: (items) => {
          groups.push([...items]);
          return Promise.resolve(items.map((i) => (i < 0 ? new Error(`negative ${i}`) : i * 2)));
        },
      };
    }

    it('run the items queued next to each other as one group, each answered with its own result', async () => {
      const mailbox = new BoundedMailbox(16);
      const op = doubler();
      const hold = gate();
      const events: string[] = [];
      const first = mailbox.submit(() => hold.promise.then(() => events.push('first')));
      const a = [1, 2, 3].map((i) => mailbox.submitBatched(op, i, 1));
      const single = mailbox.submit(() => Promise.resolve(events.push(`single after ${op.groups.length} groups`)));
      const b = [4, 5].map((i) => mailbox.submitBatched(op, i, 1));
      hold.open();
      await first;
      expect(await Promise.all([...a, ...b])).toEqual([2, 4, 6, 8, 10]);
      await single;
      // A single operation between them splits the groups and runs in its turn.
      expect(op.groups).toEqual([[1, 2, 3], [4, 5]]);
      expect(events).toEqual(['first', 'single after 1 groups']);
    });

    it('respect the op limits on items and weight; an item heavier than the limit runs alone', async () => {
      const mailbox = new BoundedMailbox(16);
      const op = doubler(2, 10);
      const other = doubler();
      const hold = gate();
      const first = mailbox.submit(() => hold.promise);
      const results = Promise.all([
        mailbox.submitBatched(op, 1, 1),
        mailbox.submitBatched(op, 2, 1),
        mailbox.submitBatched(op, 3, 1),
        mailbox.submitBatched(op, 4, 20),
        mailbox.submitBatched(op, 5, 6),
        mailbox.submitBatched(op, 6, 5),
        mailbox.submitBatched(other, 7, 1),
        mailbox.submitBatched(op, 8, 1),
      ]);
      hold.open();
      await first;
      expect(await results).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
      expect(op.groups).toEqual([[1, 2], [3], [4], [5], [6], [8]]);
      expect(other.groups).toEqual([[7]]);
    });

    it('reject only the items answered with an Error, and every item of a group whose run throws', async () => {
      const mailbox = new BoundedMailbox(16);
      const op = doubler();
      const hold = gate();
      const first = mailbox.submit(() => hold.promise);
      const ok = mailbox.submitBatched(op, 1, 1);
      const bad = mailbox.submitBatched(op, -1, 1);
      hold.open();
      await first;
      expect(await ok).toBe(2);
      await expect(bad).rejects.toThrow('negative -1');

      const throwing: BatchOp<number, number> = {
        maxItems: 10,
        maxWeight: 10,
        run: () => {
          throw new Error('group boom');
        },
      };
      const gated = gate();
      const blocker = mailbox.submit(() => gated.promise);
      const both = [mailbox.submitBatched(throwing, 1, 1), mailbox.submitBatched(throwing, 2, 1)];
      const after = mailbox.submitBatched(op, 3, 1);
      gated.open();
      await blocker;
      for (const p of both) await expect(p).rejects.toThrow('group boom');
      expect(await after).toBe(6);
      expect(mailbox.depth).toBe(0);
    });

    it('count toward the capacity like operations', async () => {
      const mailbox = new BoundedMailbox(2);
      const op = doubler();
      const hold = gate();
      const first = mailbox.submit(() => hold.promise);
      const queued = [mailbox.submitBatched(op, 1, 1), mailbox.submitBatched(op, 2, 1)];
      await expect(mailbox.submitBatched(op, 3, 1)).rejects.toBeInstanceOf(MailboxFullError);
      hold.open();
      await first;
      expect(await Promise.all(queued)).toEqual([2, 4]);
    });
  });
});
