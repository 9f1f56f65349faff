/**
 * Failover trials of the cluster section (cluster-bench.ts): kill -9 of the leader of partition 0
 * of an rf=3 topic to the first acks=all Produce that succeeds; the killed node is restarted and the
 * ISR full again before the next trial. Our own wire client probes, one request at a time, so no
 * client library's backoff counts.
 */
import { encodeRecordBatch, kafkaErrorByCode, Produce } from '@oxbow/protocol';
import { KafkaClient } from '@oxbow/node';
import { message, NODES, partitionsOf, sleep, waitFor, withClient, within, type Cluster } from './cluster-nodes.js';

export interface FailoverTrial {
  readonly victim: number;
  readonly newLeader: number;
  /** kill -9 of the leader → response of the first successful acks=all Produce. */
  readonly ms: number;
  /** kill -9 → first Metadata answer naming another leader. */
  readonly electedMs: number;
  readonly attempts: number;
  /** What the failed attempts saw, with counts ("NOT_LEADER_OR_FOLLOWER ×3"). */
  readonly errors: readonly string[];
  /** Restart of the killed node → partition 0's ISR full again. */
  readonly rejoinMs: number;
}

export const FAILOVER_TOPIC = 'bench-cluster-failover';

/** How many trials to run: BENCH_FAILOVER_TRIALS, 10 by default. */
export function failoverTrials(): number {
  const raw = process.env.BENCH_FAILOVER_TRIALS;
  const n = raw === undefined || raw === '' ? 10 : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 50) throw new Error(`BENCH_FAILOVER_TRIALS=${raw ?? ''} must be an integer in [1, 50]`);
  return n;
}

/**
 * One acks=all producer of small records, one request at a time, to whichever node Metadata
 * (asked of the nodes in turn, skipping those that refuse connections) says leads partition 0.
 */
class FailoverProbe {
  readonly #addresses: ReadonlyMap<number, string>;
  readonly #topic: string;
  readonly #connections = new Map<number, KafkaClient>();
  #leader = -1;
  #next = 0;

  constructor(addresses: ReadonlyMap<number, string>, topic: string) {
    this.#addresses = addresses;
    this.#topic = topic;
  }

  get leader(): number {
    return this.#leader;
  }

  /** Resolves null on success, else what went wrong. */
  async attempt(): Promise<string | null> {
    try {
      if (this.#leader <= 0) this.#leader = await this.#findLeader();
      if (this.#leader <= 0) return 'no leader in Metadata';
      const c = await this.#connection(this.#leader);
      const records = await encodeRecordBatch({ records: [{ timestamp: BigInt(Date.now()), key: null, value: Buffer.alloc(100, 0x61) }] });
      const r = await within(8000, 'Produce', c.send(Produce, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: this.#topic, partitionData: [{ index: 0, records }] }] }));
      const code = r.responses[0]?.partitionResponses[0]?.errorCode ?? -1;
      if (code === 0) return null;
      this.#leader = -1;
      return kafkaErrorByCode(code)?.name ?? `error ${code}`;
    } catch (err) {
      this.#drop(this.#leader);
      this.#leader = -1;
      return message(err).replace(/127\.0\.0\.1:\d+/g, 'node');
    }
  }

  async #findLeader(): Promise<number> {
    const ids = [...this.#addresses.keys()];
    let last: unknown;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[(this.#next + i) % ids.length] as number;
      try {
        const c = await this.#connection(id);
        const view = await within(3000, 'Metadata', partitionsOf(c, this.#topic));
        this.#next = (this.#next + i + 1) % ids.length;
        return view.find((p) => p.partition === 0)?.leader ?? -1;
      } catch (err) {
        this.#drop(id);
        last = err;
      }
    }
    throw last instanceof Error ? last : new Error('no node answered Metadata');
  }

  async #connection(id: number): Promise<KafkaClient> {
    const open = this.#connections.get(id);
    if (open !== undefined) return open;
    const address = this.#addresses.get(id);
    if (address === undefined) throw new Error(`unknown node ${id}`);
    const c = await KafkaClient.connect(address, { clientId: 'oxbow-bench-failover', timeoutMs: 2000 });
    this.#connections.set(id, c);
    return c;
  }

  #drop(id: number): void {
    this.#connections.get(id)?.close();
    this.#connections.delete(id);
  }

  close(): void {
    for (const c of this.#connections.values()) c.close();
    this.#connections.clear();
  }
}

/** Leader of partition 0 once its ISR is full, as that leader itself answers. */
async function settledLeader(cluster: Cluster, topic: string, timeoutMs: number): Promise<number> {
  return waitFor(`a leader of ${topic}-0 with a full ISR`, timeoutMs, async () => {
    const leader = await withClient(cluster.node(1).bootstrap, async (c) => (await partitionsOf(c, topic)).find((p) => p.partition === 0)?.leader ?? -1);
    if (leader <= 0) return undefined;
    const own = await withClient(cluster.node(leader).bootstrap, async (c) => (await partitionsOf(c, topic)).find((p) => p.partition === 0));
    return own?.leader === leader && own.isr.length === NODES ? leader : undefined;
  });
}

export async function failoverTrial(cluster: Cluster, log: (line: string) => void): Promise<FailoverTrial> {
  const victim = await settledLeader(cluster, FAILOVER_TOPIC, 60_000);
  const probe = new FailoverProbe(new Map(cluster.nodes.map((n, i) => [i + 1, n.bootstrap])), FAILOVER_TOPIC);
  try {
    // Steady state first: the probe produces to the leader before it dies.
    for (let ok = 0, i = 0; ok < 5; i++) {
      if (i > 100) throw new Error('the probe could not produce to the healthy cluster');
      if ((await probe.attempt()) === null) ok++;
      else await sleep(50);
    }
    const errors = new Map<string, number>();
    let attempts = 0;
    let electedMs = NaN;
    const killedAt = performance.now();
    await cluster.node(victim).kill9();
    let ms = NaN;
    while (performance.now() - killedAt < 60_000) {
      attempts++;
      const error = await probe.attempt();
      if (Number.isNaN(electedMs) && probe.leader > 0 && probe.leader !== victim) electedMs = performance.now() - killedAt;
      if (error === null) {
        ms = performance.now() - killedAt;
        break;
      }
      errors.set(error, (errors.get(error) ?? 0) + 1);
      await sleep(50);
    }
    const newLeader = probe.leader;
    const seen = [...errors].map(([e, n]) => `${e} ×${n}`);
    if (Number.isNaN(ms)) throw new Error(`no acks=all Produce succeeded within 60 s of killing node ${victim}: ${seen.join('; ')}\n${cluster.logs()}`);
    const restarted = performance.now();
    cluster.nodes[victim - 1] = await cluster.node(victim).restart();
    await settledLeader(cluster, FAILOVER_TOPIC, 60_000);
    const rejoinMs = performance.now() - restarted;
    log(`cluster: failover after killing node ${victim}: ${ms.toFixed(0)} ms to the first acks=all produce (node ${newLeader}, elected after ${electedMs.toFixed(0)} ms, ${attempts} attempts: ${seen.join('; ')}); ISR full ${(rejoinMs / 1000).toFixed(1)} s after the restart`);
    return { victim, newLeader, ms, electedMs, attempts, errors: seen, rejoinMs };
  } finally {
    probe.close();
  }
}
