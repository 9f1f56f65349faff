import { afterAll, beforeAll } from 'vitest';
import { EtcdCoordinator, type CoordinatorLogger } from '../../src/index.js';
import { describeCoordinator, startEtcd, type EtcdServer } from '../../src/testing/index.js';

const quietLogger: CoordinatorLogger = { warn: () => undefined, info: () => undefined };

let etcd: EtcdServer;
let clusters = 0;

beforeAll(async () => {
  etcd = await startEtcd();
});

afterAll(async () => {
  await etcd?.stop();
});

describeCoordinator('etcd', async () => {
  const clusterName = `conformance-${process.pid}-${++clusters}`;
  const open = async (nodeId = 1): Promise<EtcdCoordinator> => {
    // 4096 as `oxbow cluster up` runs etcd with: a full object commit (1024 partitions) needs 2048.
    const c = new EtcdCoordinator({ endpoints: etcd.endpoints, clusterName, nodeId, leaseTtlSeconds: 2, maxTxnOps: 4096, logger: quietLogger, onListenerError: () => undefined });
    await c.start();
    return c;
  };
  let current = await open();
  const peers: EtcdCoordinator[] = [];
  return {
    coordinator: current,
    restart: async () => {
      await current.close();
      current = await open();
      return current;
    },
    peer: async () => {
      const peer = await open(2 + peers.length);
      peers.push(peer);
      return peer;
    },
    cleanup: async () => {
      await current.close();
      for (const peer of peers) await peer.close();
    },
  };
});
