"""Producer error paths a librdkafka user hits, reported as data.

usage: rdkafka_errors.py BOOTSTRAP bad-topic TOPIC
       rdkafka_errors.py BOOTSTRAP metadata-no-create TOPIC [TOPIC ...]
       rdkafka_errors.py BOOTSTRAP too-large TOPIC LIMIT_BYTES

bad-topic: metadata for TOPIC (an illegal name) and the delivery report of one record produced to
  it (metadata auto-creation must refuse the name, so the record fails instead of waiting forever).
metadata-no-create: the per-topic metadata errors a consumer (allow.auto.create.topics=false, so
  Metadata asks for no auto-creation) gets for topics that do not exist.
too-large: with the client's own message.max.bytes raised far above the topic's limit, a record
  just under LIMIT_BYTES is accepted, one above it gets MESSAGE_TOO_LARGE in its delivery report
  (and is not written), and the producer keeps working afterwards.
"""
import sys

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

from rdkafka_common import client_config, consumer_config, emit, err_repr


def producer(bootstrap, **extra):
    return Producer(client_config(bootstrap, **{
        'enable.idempotence': False,
        'acks': 'all',
        'linger.ms': 0,
        'retries': 0,
        'message.timeout.ms': 10000,
        'request.timeout.ms': 5000,
        'topic.metadata.propagation.max.ms': 2000,
        **extra,
    }))


def send(p, topic, value, timeout=15):
    """Produces one record and returns its delivery report {error, partition, offset}."""
    out = {}

    def cb(err, msg):
        out.update({'error': err_repr(err), 'partition': msg.partition(), 'offset': msg.offset()})

    p.produce(topic, value=value, key=b'k', partition=0, on_delivery=cb)
    left = p.flush(timeout)
    if not out:
        out['error'] = {'code': None, 'name': 'NO_DELIVERY_REPORT', 'str': f'{left} message(s) still queued after {timeout}s'}
    return out


def bad_topic(bootstrap, topic):
    # Produce before anything asked for the topic's metadata, as an application would: the client
    # queues the record, asks for metadata (auto-create allowed) and must fail the record when the
    # broker reports the name as invalid.
    p = producer(bootstrap)
    summary = {}
    try:
        summary['delivery'] = send(p, topic, b'x')
    except KafkaException as e:
        summary['delivery'] = {'error': err_repr(e.args[0]), 'synchronous': True}
    md = producer(bootstrap).list_topics(topic=topic, timeout=10)
    t = md.topics.get(topic)
    summary['metadataError'] = err_repr(t.error) if t is not None else {'code': None, 'name': 'NOT_IN_RESPONSE', 'str': ''}
    return summary, summary['delivery']['error'] is not None


def metadata_no_create(bootstrap, topics):
    c = Consumer(consumer_config(bootstrap, **{'allow.auto.create.topics': False}))
    errors = {}
    for topic in topics:
        t = c.list_topics(topic=topic, timeout=10).topics.get(topic)
        errors[topic] = err_repr(t.error) if t is not None else {'code': None, 'name': 'NOT_IN_RESPONSE', 'str': ''}
    c.close()
    return {'metadataErrors': errors}, True


def too_large(bootstrap, topic, limit):
    p = producer(bootstrap, **{'message.max.bytes': 8 * 1024 * 1024})
    under = send(p, topic, b'u' * (limit - 1024))
    over = send(p, topic, b'o' * (limit + 1024))
    after = send(p, topic, b'small')
    c = Consumer(consumer_config(bootstrap))
    _, high = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
    c.close()
    return {'under': under, 'over': over, 'after': after, 'highWatermark': high}, True


def main():
    bootstrap, scenario, topic, *rest = sys.argv[1:]
    if scenario == 'bad-topic':
        summary, ok = bad_topic(bootstrap, topic)
    elif scenario == 'metadata-no-create':
        summary, ok = metadata_no_create(bootstrap, [topic, *rest])
    elif scenario == 'too-large':
        summary, ok = too_large(bootstrap, topic, int(rest[0]))
    else:
        raise SystemExit(f'unknown scenario {scenario}')
    summary['scenario'] = scenario
    emit(summary, ok)


if __name__ == '__main__':
    main()
