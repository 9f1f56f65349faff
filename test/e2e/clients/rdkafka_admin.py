"""AdminClient driver: one admin operation per run, its outcome reported as data.

usage: rdkafka_admin.py BOOTSTRAP list [TOPIC]
       rdkafka_admin.py BOOTSTRAP create TOPIC PARTITIONS [key=value ...]
       rdkafka_admin.py BOOTSTRAP describe TOPIC
       rdkafka_admin.py BOOTSTRAP alter TOPIC key=value [...]
       rdkafka_admin.py BOOTSTRAP delete TOPIC
       rdkafka_admin.py BOOTSTRAP watermarks TOPIC PARTITIONS

A Kafka error returned for the operation is part of the summary ("error"), not a failure of the
script; the script fails (exit 1) only when the client could not get an answer at all.
"""
import sys
import time

from confluent_kafka import Consumer, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

from rdkafka_common import Deadline, client_config, consumer_config, emit, err_repr

OP_TIMEOUT = 15  # seconds, per admin call


def pairs(args):
    out = {}
    for a in args:
        k, _, v = a.partition('=')
        out[k] = v
    return out


def listing(admin, topic=None):
    md = admin.list_topics(topic=topic, timeout=OP_TIMEOUT)
    topics = {}
    for name, t in md.topics.items():
        topics[name] = {
            'error': err_repr(t.error),
            'partitions': {
                str(p.id): {'leader': p.leader, 'replicas': list(p.replicas), 'isrs': list(p.isrs), 'error': err_repr(p.error)}
                for p in t.partitions.values()
            },
        }
    return {'brokers': {str(b.id): f'{b.host}:{b.port}' for b in md.brokers.values()}, 'controller': md.controller_id, 'topics': topics}


def future_error(future):
    try:
        future.result(timeout=OP_TIMEOUT)
        return None
    except KafkaException as e:
        return err_repr(e.args[0])


def main():
    bootstrap, op, *args = sys.argv[1:]
    admin = AdminClient(client_config(bootstrap))
    summary = {'op': op}
    if op == 'list':
        summary.update(listing(admin, args[0] if args else None))
    elif op == 'create':
        topic, partitions, *configs = args
        fs = admin.create_topics([NewTopic(topic, int(partitions), 1, config=pairs(configs))], operation_timeout=OP_TIMEOUT, request_timeout=OP_TIMEOUT)
        summary['error'] = future_error(fs[topic])
        if summary['error'] is None:
            # CreateTopics answers once the topic exists; metadata must show it (bounded wait).
            deadline = Deadline(10)
            while True:
                md = listing(admin)
                seen = md['topics'].get(topic)
                if (seen is not None and len(seen['partitions']) == int(partitions)) or deadline.expired():
                    break
                time.sleep(0.1)
            summary['listed'] = seen
    elif op == 'describe':
        res = ConfigResource(ConfigResource.Type.TOPIC, args[0])
        fs = admin.describe_configs([res], request_timeout=OP_TIMEOUT)
        try:
            entries = list(fs.values())[0].result(timeout=OP_TIMEOUT)
            summary['error'] = None
            summary['configs'] = {
                name: {
                    'value': e.value,
                    'source': e.source,
                    'is_default': e.is_default,
                    'is_read_only': e.is_read_only,
                    'is_sensitive': e.is_sensitive,
                }
                for name, e in entries.items()
            }
        except KafkaException as e:
            summary['error'] = err_repr(e.args[0])
    elif op == 'alter':
        topic, *configs = args
        res = ConfigResource(ConfigResource.Type.TOPIC, topic, set_config=pairs(configs))
        fs = admin.alter_configs([res], request_timeout=OP_TIMEOUT)
        summary['error'] = future_error(list(fs.values())[0])
    elif op == 'delete':
        topic = args[0]
        fs = admin.delete_topics([topic], operation_timeout=OP_TIMEOUT, request_timeout=OP_TIMEOUT)
        summary['error'] = future_error(fs[topic])
        deadline = Deadline(10)
        while True:
            listed = topic in listing(admin)['topics']
            if not listed or deadline.expired():
                break
            time.sleep(0.1)
        summary['stillListed'] = listed
    elif op == 'watermarks':
        topic, partitions = args
        c = Consumer(consumer_config(bootstrap))
        summary['watermarks'] = {str(p): list(c.get_watermark_offsets(TopicPartition(topic, p), timeout=OP_TIMEOUT)) for p in range(int(partitions))}
        c.close()
    else:
        raise SystemExit(f'unknown op {op}')
    emit(summary, True)


if __name__ == '__main__':
    main()
