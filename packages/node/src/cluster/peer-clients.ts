import type { Coordinator } from '@oxbow/controller';
import { KafkaErrorCode } from '@oxbow/protocol';
import { newReplicationClient, type ReplicationClient } from './grpc-contracts.js';

/**
 * gRPC clients to the other nodes, by node id, from the gRPC endpoints they registered with the
 * coordinator; a client is replaced when its node registers a different endpoint.
 */
export class PeerClients {
  readonly #coordinator: Coordinator;
  readonly #clients = new Map<number, { address: string; client: ReplicationClient }>();

  constructor(coordinator: Coordinator) {
    this.#coordinator = coordinator;
  }

  /** The client for `nodeId`, or a Kafka error code when the node is not registered or has no gRPC endpoint. */
  get(nodeId: number): ReplicationClient | number {
    const address = this.#coordinator.brokers().find((b) => b.nodeId === nodeId)?.grpc ?? null;
    if (address === null) return KafkaErrorCode.NOT_LEADER_OR_FOLLOWER;
    const known = this.#clients.get(nodeId);
    if (known !== undefined && known.address === address) return known.client;
    known?.client.close();
    const client = newReplicationClient(address);
    this.#clients.set(nodeId, { address, client });
    return client;
  }

  close(): void {
    for (const { client } of this.#clients.values()) client.close();
    this.#clients.clear();
  }
}
