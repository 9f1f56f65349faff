"""Produces numbered records at a steady rate with an idempotent acks=all librdkafka producer.

usage: rdkafka_steady_produce.py BOOTSTRAP TOPIC PARTITIONS SECONDS RATE

Record i has value b'i' and goes to partition i % PARTITIONS; RATE records per second for SECONDS
seconds, then everything is flushed (up to 60 s more, message.timeout.ms). Meant to run while a
test kills or pauses brokers: the summary lists every acked [value, partition, offset] and every
failed delivery, with the time (seconds since start) of each failure.
"""
import sys
import time

from confluent_kafka import KafkaException, Producer

from rdkafka_common import client_config, emit, err_repr


def main():
    bootstrap, topic, partitions, seconds, rate = sys.argv[1:]
    partitions, seconds, rate = int(partitions), float(seconds), float(rate)
    acked = []
    errors = []
    started = time.monotonic()

    def report(err, msg):
        if err is not None:
            errors.append({'value': msg.value().decode(), 'error': err_repr(err), 'at': round(time.monotonic() - started, 2)})
        else:
            acked.append([int(msg.value().decode()), msg.partition(), msg.offset()])

    producer = Producer(client_config(
        bootstrap,
        **{
            'enable.idempotence': True,
            'acks': 'all',
            'linger.ms': 5,
            'message.timeout.ms': 60000,
            'request.timeout.ms': 5000,
            'retry.backoff.ms': 100,
            'topic.metadata.refresh.interval.ms': 1000,
        },
    ))
    fatal = None
    sent = 0
    try:
        while time.monotonic() - started < seconds:
            due = int((time.monotonic() - started) * rate)
            while sent < due:
                producer.produce(topic, value=str(sent).encode(), partition=sent % partitions, on_delivery=report)
                sent += 1
            producer.poll(0.01)
        remaining = producer.flush(70)
    except KafkaException as e:
        fatal = err_repr(e.args[0])
        remaining = len(producer)
    emit({'sent': sent, 'acked': acked, 'errors': errors, 'unflushed': remaining, 'fatal': fatal}, ok=fatal is None and remaining == 0)


if __name__ == '__main__':
    main()
