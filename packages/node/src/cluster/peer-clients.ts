import type { Coordinator } from '@oxbow/controller';
import { KafkaErrorCode } from '@oxbow/protocol';
import { newForwardClient, newReplicationClient, type ForwardClient, type ReplicationClient } from './grpc-contracts.js';

/**
 * gRPC clients to the other nodes, by node id, from the gRPC endpoints they registered with the
 * coordinator; a client is replaced when its node registers a different endpoint.
 */
export class PeerClients {
  readonly #coordinator: Coordinator;
  readonly #clients = new Map<number, { address: string; client: ReplicationClient; forward: ForwardClient }>();

  constructor(coordinator: Coordinator) {
    this.#coordinator = coordinator;
  }

  /** The client for `nodeId`, or a Kafka error code when the node is not registered or has no gRPC endpoint. */
  get(nodeId: number): ReplicationClient | number {
    const peer = this.#peer(nodeId);
    return typeof peer === 'number' ? peer : peer.client;
  }

  /** The Forward service client of `nodeId` (same endpoint), or a Kafka error code. */
  forward(nodeId: number): ForwardClient | number {
    const peer = this.#peer(nodeId);
    return typeof peer === 'number' ? peer : peer.forward;
  }

  #peer(nodeId: number): { client: ReplicationClient; forward: ForwardClient } | number {
    const address = this.#coordinator.brokers().find((b) => b.nodeId === nodeId)?.grpc ?? null;
    if (address === null) return KafkaErrorCode.NOT_LEADER_OR_FOLLOWER;
    const known = this.#clients.get(nodeId);
    if (known !== undefined && known.address === address) return known;
    known?.client.close();
    known?.forward.close();
    const entry = { address, client: newReplicationClient(address), forward: newForwardClient(address) };
    this.#clients.set(nodeId, entry);
    return entry;
  }

  close(): void {
    for (const { client, forward } of this.#clients.values()) {
      client.close();
      forward.close();
    }
    this.#clients.clear();
  }
}
