"""Reads a whole topic with a librdkafka consumer at a given isolation level.

usage: rdkafka_txn_read.py BOOTSTRAP TOPIC PARTITIONS ISOLATION EXPECTED

ISOLATION is read_committed or read_uncommitted. Assigns every partition from the beginning and
reads until EXPECTED records arrived and nothing more came for 1.5 s (bounded at 30 s). The
summary lists [partition, offset, value] of every record.
"""
import sys
import time

from confluent_kafka import Consumer, TopicPartition

from rdkafka_common import Deadline, consumer_config, emit


def main():
    bootstrap, topic, partitions, isolation, expected = sys.argv[1:]
    partitions, expected = int(partitions), int(expected)
    consumer = Consumer(consumer_config(bootstrap, **{'isolation.level': isolation}))
    consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
    records = []
    deadline = Deadline(30)
    last = time.monotonic()
    errors = []
    while not deadline.expired():
        msg = consumer.poll(0.1)
        if msg is None:
            if len(records) >= expected and time.monotonic() - last > 1.5:
                break
            continue
        if msg.error():
            errors.append(str(msg.error()))
            continue
        last = time.monotonic()
        records.append([msg.partition(), msg.offset(), msg.value().decode()])
    consumer.close()
    emit({'records': records, 'errors': errors}, ok=not errors)


if __name__ == '__main__':
    main()
