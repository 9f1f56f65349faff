"""Produces COUNT numbered records with an idempotent librdkafka producer and reports what was acked.

usage: rdkafka_idempotent.py BOOTSTRAP TOPIC PARTITIONS COUNT

Record i has value b'i' and goes to partition i % PARTITIONS, produced in small batches with up to
5 requests in flight, so a connection reset between the broker's append and the client's receipt
of the acknowledgement makes librdkafka resend batches the broker already has. The summary lists
every delivery report: acked [value, partition, offset] triples and errors.
"""
import sys

from confluent_kafka import KafkaException, Producer

from rdkafka_common import Deadline, client_config, emit, err_repr


def main():
    bootstrap, topic, partitions, count = sys.argv[1:]
    partitions, count = int(partitions), int(count)
    acked = []
    errors = []

    def report(err, msg):
        if err is not None:
            errors.append({'value': msg.value().decode(), 'error': err_repr(err)})
        else:
            acked.append([int(msg.value().decode()), msg.partition(), msg.offset()])

    producer = Producer(client_config(
        bootstrap,
        **{
            'enable.idempotence': True,
            'acks': 'all',
            'linger.ms': 2,
            'batch.num.messages': 25,
            'max.in.flight.requests.per.connection': 5,
            'message.timeout.ms': 60000,
            'request.timeout.ms': 5000,
            'retry.backoff.ms': 50,
        },
    ))
    deadline = Deadline(70)
    fatal = None
    try:
        for i in range(count):
            while True:
                try:
                    producer.produce(topic, value=str(i).encode(), partition=i % partitions, on_delivery=report)
                    break
                except BufferError:
                    producer.poll(0.05)
            if i % 50 == 49:
                producer.poll(0)
        remaining = producer.flush(max(1, deadline.left()))
    except KafkaException as e:
        fatal = err_repr(e.args[0])
        remaining = len(producer)
    emit({'acked': acked, 'errors': errors, 'unflushed': remaining, 'fatal': fatal}, ok=fatal is None and remaining == 0)


if __name__ == '__main__':
    main()
