"""A librdkafka consume-transform-produce loop with transactions (exactly-once processing).

usage: rdkafka_txn_ctp.py BOOTSTRAP IN_TOPIC OUT_TOPIC GROUP TRANSACTIONAL_ID COUNT ABORT_EVERY

A read_committed group consumer reads IN_TOPIC; each poll's records are transformed ("out-" +
value) and produced to OUT_TOPIC, and the consumer's positions are sent to the same transaction
(send_offsets_to_transaction), which is then committed. Every ABORT_EVERY-th transaction instead
produces "aborted-" + value records and is aborted; the consumer then rewinds to the group's
committed offsets so those inputs are processed again in a later transaction. Stops once COUNT
inputs were committed. The summary counts commits and aborts.
"""
import sys

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

from rdkafka_common import Deadline, client_config, emit, err_repr


def main():
    bootstrap, in_topic, out_topic, group, txn_id, count, abort_every = sys.argv[1:]
    count, abort_every = int(count), int(abort_every)
    consumer = Consumer(client_config(
        bootstrap,
        **{
            'group.id': group,
            'enable.auto.commit': False,
            'auto.offset.reset': 'earliest',
            'isolation.level': 'read_committed',
            'session.timeout.ms': 6000,
            'fetch.wait.max.ms': 100,
        },
    ))
    producer = Producer(client_config(
        bootstrap,
        **{'transactional.id': txn_id, 'transaction.timeout.ms': 30000, 'linger.ms': 5, 'message.timeout.ms': 30000},
    ))
    deadline = Deadline(80)
    commits = aborts = done = 0
    fatal = None
    try:
        producer.init_transactions(10)
        consumer.subscribe([in_topic])
        txn_no = 0
        while done < count and not deadline.expired():
            msgs = consumer.consume(num_messages=200, timeout=0.5)
            msgs = [m for m in msgs if m.error() is None]
            if not msgs:
                continue
            txn_no += 1
            abort = abort_every > 0 and txn_no % abort_every == 0
            producer.begin_transaction()
            for m in msgs:
                prefix = b'aborted-' if abort else b'out-'
                producer.produce(out_topic, key=m.key(), value=prefix + m.value(), partition=m.partition())
            if abort:
                # Flush first: abort_transaction() purges what is still queued, and the test wants
                # the aborted records in the log (read_uncommitted sees them, read_committed never).
                producer.flush(10)
                producer.abort_transaction(10)
                aborts += 1
                # Rewind to what the group has committed: those inputs get processed again.
                assignment = consumer.assignment()
                for tp in consumer.committed(assignment, timeout=10):
                    consumer.seek(TopicPartition(tp.topic, tp.partition, tp.offset if tp.offset >= 0 else 0))
                continue
            positions = consumer.position(consumer.assignment())
            producer.send_offsets_to_transaction(positions, consumer.consumer_group_metadata(), 10)
            producer.commit_transaction(10)
            commits += 1
            done += len(msgs)
    except KafkaException as e:
        fatal = err_repr(e.args[0])
    consumer.close()
    emit({'commits': commits, 'aborts': aborts, 'processed': done, 'fatal': fatal}, ok=fatal is None and done == count)


if __name__ == '__main__':
    main()
