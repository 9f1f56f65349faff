import type { Coordinator, TopicRecord } from '@oxbow/controller';
import type { PartitionHandle } from '@oxbow/partition-actor';
import type { BrokerMetrics } from '../observability/broker-metrics.js';
import type { GroupService } from '../groups/group-service.js';
import type { ProducerIdAllocator } from '../producers/producer-id-allocator.js';
import type { TransactionCoordinator } from '../transactions/transaction-coordinator.js';
import type { Logger } from '../observability/logger.js';
import type { ObjectStoreRouter } from '../object-stores/object-store-router.js';
import type { TopicAdmin } from './topic-admin.js';

/** This broker's advertised identity. */
export interface BrokerIdentity {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

/** Where a request finds a partition: the local handle, or the Kafka error explaining why not. */
export type PartitionLookup =
  | { readonly ok: true; readonly handle: PartitionHandle; readonly topic: TopicRecord }
  | { readonly ok: false; readonly errorCode: number };

/** What request handlers use of the broker. */
export interface BrokerServices {
  readonly identity: BrokerIdentity;
  readonly coordinator: Coordinator;
  readonly topics: TopicAdmin;
  /** The classic-group coordinator (groups whose `__consumer_offsets` partition this node leads). */
  readonly groups: GroupService;
  /** The transaction coordinator (transactional ids whose `__transaction_state` partition this node leads). */
  readonly transactions: TransactionCoordinator;
  /** Producer ids for InitProducerId, in blocks from the coordinator. */
  readonly producerIds: ProducerIdAllocator;
  /** Each topic's object store (its own s3.* bucket or the cluster store), cached by location. */
  readonly objectStores: ObjectStoreRouter;
  /**
   * `leader`: clients are sent to each partition's leader (Kafka). `local`: this node answers for
   * every partition (Metadata names it leader) and `partition()` forwards to the real leader.
   */
  readonly clientRouting: 'leader' | 'local';
  /** A partition this node leads (or forwards to, with local routing), by topic name. */
  partition(topic: string, partition: number): PartitionLookup;
  /** A partition this node leads, by topic id (Fetch v13+). */
  partitionById(topicId: string, partition: number): PartitionLookup;
  readonly logger: Logger;
  readonly metrics: BrokerMetrics;
}
