/**
 * This node's bid to be the cluster controller: an etcd3 `Election` named 'controller' inside the
 * cluster namespace (keys `/oxbow/{cluster}/election/controller/{leaseId}` = node id). The campaign
 * runs on its own lease (etcd3 grants it, TTL = the session TTL). Who leads is read from the
 * coordinator's watched view (lowest create revision), the same rule etcd3 applies; `elected`
 * says whether our own campaign has been told it won. A campaign `error` (its lease lost, etcd
 * unreachable) drops the bid; the coordinator starts a new one once its session is alive.
 */
import type { Campaign, Etcd3, Lease } from 'etcd3';
import type { CoordinatorLogger } from './coordinator-logger.js';

export class ControllerCampaign {
  readonly #client: Etcd3;
  readonly #root: string;
  readonly #nodeId: number;
  readonly #ttlSeconds: number;
  readonly #log: CoordinatorLogger;
  readonly #onChange: () => void;
  #campaign: Campaign | undefined;
  #elected = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(client: Etcd3, root: string, nodeId: number, ttlSeconds: number, log: CoordinatorLogger, onChange: () => void) {
    this.#client = client;
    this.#root = root;
    this.#nodeId = nodeId;
    this.#ttlSeconds = ttlSeconds;
    this.#log = log;
    this.#onChange = onChange;
  }

  get elected(): boolean {
    return this.#elected;
  }

  /** Starts campaigning unless a campaign is already running. */
  start(): void {
    if (this.#stopped || this.#campaign !== undefined) return;
    clearTimeout(this.#retryTimer);
    const campaign = this.#client.namespace(this.#root).election('controller', this.#ttlSeconds).campaign(String(this.#nodeId));
    this.#campaign = campaign;
    campaign.on('elected', () => {
      if (campaign !== this.#campaign) return;
      this.#elected = true;
      this.#log.info({ nodeId: this.#nodeId }, 'Elected cluster controller');
      this.#onChange();
    });
    // Always handled: an unhandled 'error' event would crash the process.
    campaign.on('error', (error: Error) => {
      if (campaign !== this.#campaign) return;
      this.#log.warn({ err: error.message, nodeId: this.#nodeId }, 'Controller campaign failed; campaigning again shortly');
      this.#drop(campaign, true);
      this.#retryTimer = setTimeout(() => this.start(), 1000);
    });
  }

  /** Withdraws the bid (session lost): resigns in the background, bounded by etcd's own timeouts. */
  withdraw(): void {
    clearTimeout(this.#retryTimer);
    const campaign = this.#campaign;
    if (campaign !== undefined) this.#drop(campaign, true);
  }

  /** Stops for good: resigns (clean shutdown) or abandons the campaign lease to expire (a crash). */
  async stop(resign: boolean, deadline: number): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    const campaign = this.#campaign;
    if (campaign === undefined) return;
    this.#campaign = undefined;
    this.#elected = false;
    if (resign) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))));
      await Promise.race([campaign.resign().catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
    } else {
      leaseOf(campaign)?.release();
    }
  }

  #drop(campaign: Campaign, resign: boolean): void {
    this.#campaign = undefined;
    const was = this.#elected;
    this.#elected = false;
    if (resign) campaign.resign().catch(() => undefined);
    if (was) this.#onChange();
  }
}

/** etcd3's Campaign keeps its lease private; releasing it (no revoke) simulates a crashed node. */
function leaseOf(campaign: Campaign): Lease | undefined {
  const lease = (campaign as unknown as { lease?: unknown }).lease;
  return typeof lease === 'object' && lease !== null && typeof (lease as Lease).release === 'function' ? (lease as Lease) : undefined;
}
