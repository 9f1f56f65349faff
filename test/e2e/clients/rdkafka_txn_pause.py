"""A transactional librdkafka producer that pauses in the middle of a transaction.

usage: rdkafka_txn_pause.py BOOTSTRAP TOPIC PARTITIONS COUNT READY_FILE GO_FILE ACTION

Initialises transactions, begins one, produces COUNT records ("txn-i", partition i % PARTITIONS),
flushes them, then creates READY_FILE and waits (up to 60 s) for GO_FILE to exist, meanwhile the
test may restart the broker. Then ACTION (commit or abort) ends the transaction, retrying
retriable errors as librdkafka's API asks.
"""
import os
import sys
import time

from confluent_kafka import KafkaException, Producer

from rdkafka_common import Deadline, client_config, emit, err_repr


def main():
    bootstrap, topic, partitions, count, ready_file, go_file, action = sys.argv[1:]
    partitions, count = int(partitions), int(count)
    producer = Producer(client_config(bootstrap, **{'transactional.id': 'pause-' + topic, 'transaction.timeout.ms': 60000, 'message.timeout.ms': 30000}))
    fatal = None
    ended = False
    attempts = 0
    try:
        producer.init_transactions(10)
        producer.begin_transaction()
        for i in range(count):
            producer.produce(topic, value=('txn-%d' % i).encode(), partition=i % partitions)
        if producer.flush(10) != 0:
            raise RuntimeError('flush timed out')
        open(ready_file, 'w').close()
        wait = Deadline(60)
        while not os.path.exists(go_file) and not wait.expired():
            producer.poll(0.1)
        end = Deadline(40)
        while not ended and not end.expired():
            attempts += 1
            try:
                if action == 'commit':
                    producer.commit_transaction(10)
                else:
                    producer.abort_transaction(10)
                ended = True
            except KafkaException as e:
                err = e.args[0]
                if err.retriable():
                    time.sleep(0.2)
                    continue
                raise
    except KafkaException as e:
        fatal = err_repr(e.args[0])
    emit({'ended': ended, 'attempts': attempts, 'fatal': fatal}, ok=ended and fatal is None)


if __name__ == '__main__':
    main()
