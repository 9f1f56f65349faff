#!/usr/bin/python3
"""Drives librdkafka (through Debian's python3-confluent-kafka) against the capture server.

Usage: /usr/bin/python3 librdkafka-scenario.py 127.0.0.1:PORT

Every record, key, header, timestamp, group, topic and config here is asserted byte for byte by
test/golden/librdkafka-*.test.ts: keep them in sync.

confluent_kafka 1.7.0's AdminClient has no ACL, DeleteRecords, DeleteGroups or consumer-group
admin calls, but the librdkafka it runs on (2.0.2) does: those steps call librdkafka's C admin API
directly through ctypes, so the bytes still come from librdkafka. IncrementalAlterConfigs and
DescribeCluster do not exist in librdkafka 2.0.2 at all.

Exits non-zero as soon as a step fails; the whole run is bounded by DEADLINE_S.
"""
import ctypes
import ctypes.util
import json
import sys
import time

import confluent_kafka
from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic

BOOTSTRAP = sys.argv[1]
CLIENT_ID = 'golden-librdkafka'
TOPIC = 'golden-topic'
TXN_TOPIC = 'golden-txn-topic'
ADMIN_TOPIC = 'golden-admin-topic'
GROUP = 'golden-group'
TXN_ID = 'golden-txn'
T0 = 1700000000000
FILLER = 'golden ' * 16  # makes values compressible, so librdkafka keeps the compressed batch
DEADLINE_S = 55
STARTED = time.monotonic()

# Partition each compression's producer writes to (every partition ends up with 6 records).
COMPRESSIONS = {'none': 0, 'gzip': 1, 'snappy': 2, 'lz4': 0, 'zstd': 1}
IDEMPOTENT_PARTITION = 2


def log(msg):
    print(f'[{time.monotonic() - STARTED:5.1f}s] {msg}', flush=True)


def fail(msg):
    log(f'FAILED: {msg}')
    sys.exit(1)


def check_deadline():
    if time.monotonic() - STARTED > DEADLINE_S:
        fail('scenario deadline exceeded')


def base_conf(**extra):
    conf = {
        'bootstrap.servers': BOOTSTRAP,
        'client.id': CLIENT_ID,
        'socket.timeout.ms': 10000,
        'api.version.request': True,
    }
    conf.update(extra)
    return conf


def compression_records(codec):
    """Three records: key + headers (one null-valued), null key, and a null value (tombstone)."""
    return [
        dict(key=b'key-0', value=f'{codec} value 0 {FILLER}'.encode(), timestamp=T0,
             headers=[('trace-id', b'trace-0'), ('empty', b''), ('null', None)]),
        dict(key=None, value=f'{codec} value 1 {FILLER}'.encode(), timestamp=T0 + 1000, headers=None),
        dict(key=b'key-2', value=None, timestamp=T0 + 2000, headers=[('tombstone', b'yes')]),
    ]


def produce_all(producer, topic, partition, records):
    # Learn the partition's leader first, so the records below go out as one batch.
    producer.list_topics(topic, timeout=10)
    errors = []

    def on_delivery(err, _msg):
        if err is not None:
            errors.append(err)

    for r in records:
        kwargs = dict(topic=topic, partition=partition, value=r['value'], key=r['key'],
                      timestamp=r['timestamp'], on_delivery=on_delivery)
        if r['headers'] is not None:
            kwargs['headers'] = r['headers']
        producer.produce(**kwargs)
    left = producer.flush(15)
    if left != 0:
        fail(f'{left} records not delivered')
    if errors:
        fail(f'delivery errors: {errors}')


def step_compression_producers():
    for codec, partition in COMPRESSIONS.items():
        log(f'producer compression={codec}')
        p = Producer(base_conf(**{'compression.codec': codec, 'linger.ms': 200, 'acks': 'all',
                                  'message.timeout.ms': 15000}))
        produce_all(p, TOPIC, partition, compression_records(codec))
        check_deadline()


def step_idempotent_producer():
    log('idempotent producer')
    p = Producer(base_conf(**{'enable.idempotence': True, 'linger.ms': 200, 'message.timeout.ms': 15000}))
    records = [dict(key=f'idem-{i}'.encode(), value=f'idempotent value {i}'.encode(),
                    timestamp=T0 + 10000 + i, headers=None) for i in range(3)]
    produce_all(p, TOPIC, IDEMPOTENT_PARTITION, records)


def step_consumer():
    """Join golden-group, read all 18 records, commit. Returns the consumer (still in the group)."""
    log('consumer')
    c = Consumer(base_conf(**{
        'group.id': GROUP,
        'auto.offset.reset': 'earliest',
        'enable.auto.commit': False,
        'isolation.level': 'read_committed',
        'session.timeout.ms': 6000,
        'heartbeat.interval.ms': 100,
        'fetch.wait.max.ms': 250,
        'fetch.min.bytes': 1,
        'fetch.max.bytes': 5242880,
        'max.partition.fetch.bytes': 262144,
    }))
    c.subscribe([TOPIC])
    got = []
    until = time.monotonic() + 20
    while len(got) < 18 and time.monotonic() < until:
        m = c.poll(0.2)
        if m is None:
            continue
        if m.error() is not None:
            fail(f'consumer error: {m.error()}')
        got.append(m)
    if len(got) < 18:
        fail(f'consumer got {len(got)} of 18 records')
    # Keep polling a little so a few heartbeats go out.
    until = time.monotonic() + 0.6
    while time.monotonic() < until:
        c.poll(0.1)
    c.commit(asynchronous=False)
    log(f'consumer got {len(got)} records, committed {c.committed([TopicPartition(TOPIC, i) for i in range(3)], 10)}')
    return c


def step_transactions(consumer):
    log('transactional producer')
    p = Producer(base_conf(**{'transactional.id': TXN_ID, 'transaction.timeout.ms': 30000, 'linger.ms': 50,
                              'message.timeout.ms': 15000}))
    p.init_transactions(15)
    p.begin_transaction()
    for i in range(2):
        p.produce(TXN_TOPIC, partition=0, key=f'txn-{i}'.encode(), value=f'committed value {i}'.encode(),
                  timestamp=T0 + 20000 + i)
    p.send_offsets_to_transaction([TopicPartition(TOPIC, 0, 3), TopicPartition(TOPIC, 1, 4)],
                                  consumer.consumer_group_metadata(), 15)
    p.commit_transaction(15)
    log('transaction committed; now one to abort')
    p.begin_transaction()
    p.produce(TXN_TOPIC, partition=0, key=b'txn-aborted', value=b'aborted value', timestamp=T0 + 30000)
    p.flush(10)
    p.abort_transaction(15)


# ---- librdkafka's C admin API (confluent_kafka 1.7.0 does not wrap these) -----------------------

ADMIN_OP_ANY = 0
RESOURCE_ANY, RESOURCE_TOPIC, RESOURCE_GROUP = 1, 2, 3
PATTERN_ANY, PATTERN_MATCH, PATTERN_LITERAL, PATTERN_PREFIXED = 1, 2, 3, 4
OP_ANY, OP_READ, OP_WRITE, OP_DESCRIBE = 1, 3, 4, 8
PERM_ANY, PERM_DENY, PERM_ALLOW = 1, 2, 3
GROUP_STATE_STABLE, GROUP_STATE_EMPTY = 3, 5


class Rdk:
    def __init__(self):
        path = ctypes.util.find_library('rdkafka') or 'librdkafka.so.1'
        lib = ctypes.CDLL(path)
        vp, cp, sz = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t
        sigs = {
            'rd_kafka_version_str': (cp, []),
            'rd_kafka_conf_new': (vp, []),
            'rd_kafka_conf_set': (ctypes.c_int, [vp, cp, cp, cp, sz]),
            'rd_kafka_new': (vp, [ctypes.c_int, vp, cp, sz]),
            'rd_kafka_destroy': (None, [vp]),
            'rd_kafka_queue_new': (vp, [vp]),
            'rd_kafka_queue_destroy': (None, [vp]),
            'rd_kafka_queue_poll': (vp, [vp, ctypes.c_int]),
            'rd_kafka_event_error': (ctypes.c_int, [vp]),
            'rd_kafka_event_error_string': (cp, [vp]),
            'rd_kafka_event_destroy': (None, [vp]),
            'rd_kafka_AdminOptions_new': (vp, [vp, ctypes.c_int]),
            'rd_kafka_AdminOptions_set_request_timeout': (ctypes.c_int, [vp, ctypes.c_int, cp, sz]),
            'rd_kafka_AdminOptions_set_match_consumer_group_states': (vp, [vp, ctypes.POINTER(ctypes.c_int), sz]),
            'rd_kafka_AdminOptions_destroy': (None, [vp]),
            'rd_kafka_AclBinding_new': (vp, [ctypes.c_int, cp, ctypes.c_int, cp, cp, ctypes.c_int, ctypes.c_int, cp, sz]),
            'rd_kafka_AclBindingFilter_new': (vp, [ctypes.c_int, cp, ctypes.c_int, cp, cp, ctypes.c_int, ctypes.c_int, cp, sz]),
            'rd_kafka_CreateAcls': (None, [vp, ctypes.POINTER(vp), sz, vp, vp]),
            'rd_kafka_DescribeAcls': (None, [vp, vp, vp, vp]),
            'rd_kafka_DeleteAcls': (None, [vp, ctypes.POINTER(vp), sz, vp, vp]),
            'rd_kafka_topic_partition_list_new': (vp, [ctypes.c_int]),
            'rd_kafka_topic_partition_list_add': (vp, [vp, cp, ctypes.c_int32]),
            'rd_kafka_topic_partition_list_set_offset': (ctypes.c_int, [vp, cp, ctypes.c_int32, ctypes.c_int64]),
            'rd_kafka_DeleteRecords_new': (vp, [vp]),
            'rd_kafka_DeleteRecords': (None, [vp, ctypes.POINTER(vp), sz, vp, vp]),
            'rd_kafka_DeleteGroup_new': (vp, [cp]),
            'rd_kafka_DeleteGroups': (None, [vp, ctypes.POINTER(vp), sz, vp, vp]),
            'rd_kafka_DeleteConsumerGroupOffsets_new': (vp, [cp, vp]),
            'rd_kafka_DeleteConsumerGroupOffsets': (None, [vp, ctypes.POINTER(vp), sz, vp, vp]),
            'rd_kafka_ListConsumerGroups': (None, [vp, vp, vp]),
            'rd_kafka_DescribeConsumerGroups': (None, [vp, ctypes.POINTER(cp), sz, vp, vp]),
        }
        for name, (res, args) in sigs.items():
            fn = getattr(lib, name)
            fn.restype = res
            fn.argtypes = args
        self.lib = lib
        errstr = ctypes.create_string_buffer(512)
        conf = lib.rd_kafka_conf_new()
        for k, v in base_conf().items():
            if lib.rd_kafka_conf_set(conf, k.encode(), str(v).lower().encode() if isinstance(v, bool) else str(v).encode(),
                                     errstr, 512) != 0:
                fail(f'conf {k}: {errstr.value}')
        self.rk = lib.rd_kafka_new(0, conf, errstr, 512)  # RD_KAFKA_PRODUCER
        if not self.rk:
            fail(f'rd_kafka_new: {errstr.value}')
        self.queue = lib.rd_kafka_queue_new(self.rk)

    def options(self):
        errstr = ctypes.create_string_buffer(512)
        opts = self.lib.rd_kafka_AdminOptions_new(self.rk, ADMIN_OP_ANY)
        self.lib.rd_kafka_AdminOptions_set_request_timeout(opts, 10000, errstr, 512)
        return opts

    def wait(self, what):
        until = time.monotonic() + 15
        while time.monotonic() < until:
            ev = self.lib.rd_kafka_queue_poll(self.queue, 200)
            if not ev:
                continue
            err = self.lib.rd_kafka_event_error(ev)
            msg = self.lib.rd_kafka_event_error_string(ev)
            self.lib.rd_kafka_event_destroy(ev)
            if err != 0:
                fail(f'{what}: error {err} {msg}')
            log(f'{what}: ok')
            return
        fail(f'{what}: timed out')

    def _acl(self, ctor, restype, name, pattern, principal, host, op, perm):
        errstr = ctypes.create_string_buffer(512)
        enc = lambda s: None if s is None else s.encode()
        acl = ctor(restype, enc(name), pattern, enc(principal), enc(host), op, perm, errstr, 512)
        if not acl:
            fail(f'acl: {errstr.value}')
        return acl

    def create_acls(self, bindings):
        arr = (ctypes.c_void_p * len(bindings))(*[self._acl(self.lib.rd_kafka_AclBinding_new, *b) for b in bindings])
        self.lib.rd_kafka_CreateAcls(self.rk, arr, len(bindings), self.options(), self.queue)
        self.wait('CreateAcls')

    def describe_acls(self, flt):
        self.lib.rd_kafka_DescribeAcls(self.rk, self._acl(self.lib.rd_kafka_AclBindingFilter_new, *flt), self.options(), self.queue)
        self.wait('DescribeAcls')

    def delete_acls(self, filters):
        arr = (ctypes.c_void_p * len(filters))(*[self._acl(self.lib.rd_kafka_AclBindingFilter_new, *f) for f in filters])
        self.lib.rd_kafka_DeleteAcls(self.rk, arr, len(filters), self.options(), self.queue)
        self.wait('DeleteAcls')

    def delete_records(self, topic, partition, before):
        parts = self.lib.rd_kafka_topic_partition_list_new(1)
        self.lib.rd_kafka_topic_partition_list_add(parts, topic.encode(), partition)
        self.lib.rd_kafka_topic_partition_list_set_offset(parts, topic.encode(), partition, before)
        arr = (ctypes.c_void_p * 1)(self.lib.rd_kafka_DeleteRecords_new(parts))
        self.lib.rd_kafka_DeleteRecords(self.rk, arr, 1, self.options(), self.queue)
        self.wait('DeleteRecords')

    def delete_offsets(self, group, topic, partition):
        parts = self.lib.rd_kafka_topic_partition_list_new(1)
        self.lib.rd_kafka_topic_partition_list_add(parts, topic.encode(), partition)
        arr = (ctypes.c_void_p * 1)(self.lib.rd_kafka_DeleteConsumerGroupOffsets_new(group.encode(), parts))
        self.lib.rd_kafka_DeleteConsumerGroupOffsets(self.rk, arr, 1, self.options(), self.queue)
        self.wait('DeleteConsumerGroupOffsets')

    def list_consumer_groups(self, states):
        opts = self.options()
        arr = (ctypes.c_int * len(states))(*states)
        err = self.lib.rd_kafka_AdminOptions_set_match_consumer_group_states(opts, arr, len(states))
        if err:
            fail('set_match_consumer_group_states failed')
        self.lib.rd_kafka_ListConsumerGroups(self.rk, opts, self.queue)
        self.wait('ListConsumerGroups')

    def describe_consumer_groups(self, names):
        arr = (ctypes.c_char_p * len(names))(*[n.encode() for n in names])
        self.lib.rd_kafka_DescribeConsumerGroups(self.rk, arr, len(names), self.options(), self.queue)
        self.wait('DescribeConsumerGroups')

    def delete_groups(self, names):
        arr = (ctypes.c_void_p * len(names))(*[self.lib.rd_kafka_DeleteGroup_new(n.encode()) for n in names])
        self.lib.rd_kafka_DeleteGroups(self.rk, arr, len(names), self.options(), self.queue)
        self.wait('DeleteGroups')

    def close(self):
        self.lib.rd_kafka_queue_destroy(self.queue)
        self.lib.rd_kafka_destroy(self.rk)


def wait_futures(what, futures):
    for key, fut in futures.items():
        try:
            fut.result(timeout=15)
        except KafkaException as e:
            fail(f'{what} {key}: {e}')
    log(f'{what}: ok')


def step_admin_python():
    a = AdminClient(base_conf())
    wait_futures('create_topics', a.create_topics(
        [NewTopic(ADMIN_TOPIC, num_partitions=4, replication_factor=1,
                  config={'cleanup.policy': 'compact', 'retention.ms': '86400000'})],
        operation_timeout=5, request_timeout=10))
    wait_futures('create_partitions', a.create_partitions([NewPartitions(ADMIN_TOPIC, 6)],
                                                          operation_timeout=5, request_timeout=10))
    wait_futures('describe_configs', a.describe_configs([ConfigResource('topic', ADMIN_TOPIC)], request_timeout=10))
    wait_futures('alter_configs', a.alter_configs(
        [ConfigResource('topic', ADMIN_TOPIC, set_config={'retention.ms': '3600000', 'cleanup.policy': 'delete'})],
        request_timeout=10))
    return a


def step_admin_c(rdk):
    rdk.create_acls([
        (RESOURCE_TOPIC, TOPIC, PATTERN_LITERAL, 'User:golden', '*', OP_READ, PERM_ALLOW),
        (RESOURCE_GROUP, 'golden-', PATTERN_PREFIXED, 'User:golden', '127.0.0.1', OP_DESCRIBE, PERM_DENY),
    ])
    rdk.describe_acls((RESOURCE_TOPIC, TOPIC, PATTERN_ANY, 'User:golden', None, OP_ANY, PERM_ANY))
    rdk.delete_acls([(RESOURCE_ANY, None, PATTERN_MATCH, 'User:golden', None, OP_ANY, PERM_ANY)])
    rdk.delete_records(TOPIC, 0, 2)
    rdk.delete_offsets(GROUP, TOPIC, 1)
    rdk.list_consumer_groups([GROUP_STATE_STABLE, GROUP_STATE_EMPTY])
    rdk.describe_consumer_groups([GROUP])


def step_sasl():
    log('SASL/PLAIN client')
    p = Producer(base_conf(**{'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': 'PLAIN',
                              'sasl.username': 'golden', 'sasl.password': 'golden-secret'}))
    md = p.list_topics(TOPIC, timeout=10)
    if TOPIC not in md.topics:
        fail('SASL metadata lacks golden-topic')
    log('SASL metadata: ok')


def main():
    print('VERSIONS ' + json.dumps({'confluentKafka': confluent_kafka.version()[0],
                                    'librdkafka': confluent_kafka.libversion()[0]}), flush=True)
    step_compression_producers()
    step_idempotent_producer()
    check_deadline()
    consumer = step_consumer()
    check_deadline()
    step_transactions(consumer)
    check_deadline()
    log('consumer close')
    consumer.close()
    check_deadline()
    admin = step_admin_python()
    check_deadline()
    rdk = Rdk()
    step_admin_c(rdk)
    groups = admin.list_groups(timeout=10)
    log(f'list_groups: {[g.id for g in groups]}')
    wait_futures('delete_topics', admin.delete_topics([ADMIN_TOPIC], operation_timeout=5, request_timeout=10))
    rdk.delete_groups([GROUP])
    rdk.close()
    check_deadline()
    step_sasl()
    log('scenario done')


if __name__ == '__main__':
    main()
