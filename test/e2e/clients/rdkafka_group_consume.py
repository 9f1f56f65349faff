"""A librdkafka group consumer for the consumer-group e2e test.

Usage: rdkafka_group_consume.py BOOTSTRAP GROUP TOPIC [INSTANCE_ID]

Subscribes, prints one JSON line per event on stdout (flushed at once): {"event": "assigned",
"partitions": [...]}, {"event": "revoked", ...}, {"event": "record", "partition": p, "offset": o,
"key": "..."} and {"event": "committed", ...}. Every record's offset is committed synchronously
right after it is printed, so a consumer killed at any point has committed at most what it
printed. Runs until stdin is closed (then closes the consumer cleanly: LeaveGroup for dynamic
members) or until it is killed.
"""
import json
import os
import select
import sys

from confluent_kafka import Consumer, TopicPartition

from rdkafka_common import client_config


def out(obj):
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()


def main():
    bootstrap, group, topic = sys.argv[1], sys.argv[2], sys.argv[3]
    extra = {
        'group.id': group,
        'enable.auto.commit': False,
        'auto.offset.reset': 'earliest',
        'session.timeout.ms': 6000,
        'heartbeat.interval.ms': 500,
        'max.poll.interval.ms': 20000,
        'partition.assignment.strategy': 'range,roundrobin',
    }
    if len(sys.argv) > 4:
        extra['group.instance.id'] = sys.argv[4]
    consumer = Consumer(client_config(bootstrap, **extra))

    def on_assign(c, partitions):
        out({'event': 'assigned', 'partitions': sorted(p.partition for p in partitions)})

    def on_revoke(c, partitions):
        out({'event': 'revoked', 'partitions': sorted(p.partition for p in partitions)})

    consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
    out({'event': 'started', 'pid': os.getpid()})
    while True:
        readable, _, _ = select.select([sys.stdin], [], [], 0)
        if readable and sys.stdin.read(1) == '':
            break
        msg = consumer.poll(0.2)
        if msg is None:
            continue
        if msg.error():
            out({'event': 'error', 'error': str(msg.error())})
            continue
        key = msg.key().decode('utf8') if msg.key() is not None else None
        out({'event': 'record', 'partition': msg.partition(), 'offset': msg.offset(), 'key': key})
        consumer.commit(offsets=[TopicPartition(topic, msg.partition(), msg.offset() + 1)], asynchronous=False)
    consumer.close()
    out({'event': 'closed'})


if __name__ == '__main__':
    main()
