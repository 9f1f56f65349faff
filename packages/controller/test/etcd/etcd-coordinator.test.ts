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
  const open = async (): Promise<EtcdCoordinator> => {
    const c = new EtcdCoordinator({ endpoints: etcd.endpoints, clusterName, nodeId: 1, leaseTtlSeconds: 2, logger: quietLogger, onListenerError: () => undefined });
    await c.start();
    return c;
  };
  let current = await open();
  return {
    coordinator: current,
    restart: async () => {
      await current.close();
      current = await open();
      return current;
    },
    cleanup: async () => {
      await current.close();
    },
  };
});
