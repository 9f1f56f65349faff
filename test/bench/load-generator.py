"""Kafka load generator for `npm run bench`: librdkafka (Debian's python3-confluent-kafka) in its
own process, so the broker, not the client, is what the bench measures. Run it with
/usr/bin/python3 (the pyenv `python3` on PATH cannot import confluent_kafka).

    load-generator.py create-topic BOOTSTRAP TOPIC PARTITIONS
    load-generator.py produce  BOOTSTRAP TOPIC --size B --acks A --seconds S [--rate R]
    load-generator.py consume  BOOTSTRAP TOPIC --seconds S

Each command prints one JSON object on stdout. Every loop is bounded by a deadline.
`produce` without --rate sends as fast as librdkafka accepts (throughput); with --rate it paces
R records/s and reports the delivery-callback latency of every record. `consume` assigns every
partition from the beginning (no consumer group) and reads up to the high watermarks it saw first.
"""
import argparse
import json
import os
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


def cpu_seconds():
    t = os.times()
    return t.user + t.system


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def create_topic(args):
    admin = AdminClient({'bootstrap.servers': args.bootstrap})
    futures = admin.create_topics([NewTopic(args.topic, num_partitions=args.partitions, replication_factor=1)], request_timeout=15)
    for future in futures.values():
        future.result(timeout=20)
    return {'topic': args.topic, 'partitions': args.partitions}


class RequestStats:
    """librdkafka's own per-second statistics for the broker connection(s), kept while `on`:
    produce requests sent and their mean size, the broker round trip (request sent to response
    read) and the time records wait in the client's queue before being sent."""

    def __init__(self):
        self.on = False
        self.windows = []

    def __call__(self, text):
        if not self.on:
            return
        brokers = [b for b in json.loads(text).get('brokers', {}).values() if b.get('nodeid', -1) >= 0]
        if brokers:
            self.windows.append({
                'tx': sum(b.get('tx', 0) for b in brokers),
                'txbytes': sum(b.get('txbytes', 0) for b in brokers),
                'rtt': max(brokers, key=lambda b: b['rtt'].get('cnt', 0))['rtt'],
                'queue': max(brokers, key=lambda b: b['int_latency'].get('cnt', 0))['int_latency'],
            })

    def summary(self):
        w = [x for x in self.windows if x['rtt'].get('cnt', 0) > 0]
        if len(w) < 2:
            return None
        tx = w[-1]['tx'] - w[0]['tx']
        txbytes = w[-1]['txbytes'] - w[0]['txbytes']
        med = lambda xs: sorted(xs)[len(xs) // 2] / 1000.0
        return {
            'windows': len(w),
            'meanRequestBytes': txbytes / tx if tx > 0 else None,
            'requestsPerSecond': tx / (len(w) - 1),
            # per-second windows: median of the windows' p50, worst of the windows' p99
            'rttMs': {'p50': med([x['rtt']['p50'] for x in w]), 'p99': max(x['rtt']['p99'] for x in w) / 1000.0},
            'queueMs': {'p50': med([x['queue']['p50'] for x in w]), 'p99': max(x['queue']['p99'] for x in w) / 1000.0},
        }


def producer_config(args, stats):
    return {
        'bootstrap.servers': args.bootstrap,
        'acks': str(args.acks),
        'linger.ms': args.linger_ms,
        'batch.size': 1000000,
        'compression.type': 'none',
        'enable.idempotence': bool(args.idempotence),
        'max.in.flight.requests.per.connection': args.max_in_flight,
        'message.timeout.ms': 30000,
        'statistics.interval.ms': 1000,
        'stats_cb': stats,
    }


def produce_throughput(args):
    errors = []

    def on_error(err, _msg):
        if err is not None and len(errors) < 5:
            errors.append(str(err))
        elif err is not None:
            errors.append(None)

    stats = RequestStats()
    conf = producer_config(args, stats)
    conf['delivery.report.only.error'] = True
    conf['on_delivery'] = on_error
    p = Producer(conf)
    value = os.urandom(args.size)  # incompressible, though nothing compresses here
    produce = p.produce
    topic = args.topic

    def run(seconds):
        sent = 0
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            for _ in range(1000):
                while True:
                    try:
                        produce(topic, value)
                        break
                    except BufferError:  # local queue full: wait for the broker
                        p.poll(0.001)
                        if time.perf_counter() > deadline + 30:
                            raise
            sent += 1000
            p.poll(0)
        left = p.flush(args.seconds + 30)
        return sent, left

    warm_sent, warm_left = run(args.warmup)  # connections, metadata, first batches
    warm_delivered = warm_sent - warm_left - len(errors)
    errors.clear()
    stats.on = True
    cpu0 = cpu_seconds()
    t0 = time.perf_counter()
    sent, left = run(args.seconds)
    elapsed = time.perf_counter() - t0
    cpu = cpu_seconds() - cpu0
    stats.on = False
    failed = len(errors) + left
    delivered = sent - failed
    return {
        'records': delivered,
        'bytes': delivered * args.size,
        'elapsedSeconds': elapsed,
        'failed': failed,
        'warmupBytes': warm_delivered * args.size,
        'errors': [e for e in errors if e is not None],
        'clientCpuSeconds': cpu,
        'processCpuSeconds': cpu_seconds(),
        'requests': stats.summary(),
    }


def produce_paced(args):
    samples = []
    rd_samples = []
    errors = []
    perf = time.perf_counter

    def on_delivery(err, msg, t0, record):
        if err is not None:
            errors.append(str(err))
        elif record:
            samples.append(perf() - t0)
            rd_samples.append(msg.latency())

    stats = RequestStats()
    p = Producer(producer_config(args, stats))
    value = os.urandom(args.size)
    produce = p.produce
    topic = args.topic
    rate = args.rate
    sent = 0
    skipped = 0

    def pace(seconds, record):
        nonlocal sent, skipped
        start = perf()
        end = start + seconds
        local = 0
        while True:
            now = perf()
            if now >= end:
                break
            due = int((now - start) * rate) - local
            for _ in range(min(due, 10000)):
                t = perf()
                try:
                    produce(topic, value, on_delivery=lambda err, msg, t0=t: on_delivery(err, msg, t0, record))
                except BufferError:  # the broker fell behind the pace: the local queue is full
                    if record:
                        skipped += 1
                    break
                local += 1
            p.poll(0.001)  # serves delivery callbacks as soon as they arrive
        sent += local
        p.flush(30)

    pace(args.warmup, False)
    cpu0 = cpu_seconds()
    t0 = perf()
    stats.on = True
    pace(args.seconds, True)
    stats.on = False
    elapsed = perf() - t0
    cpu = cpu_seconds() - cpu0
    samples.sort()
    rd = sorted(x for x in rd_samples if x is not None)
    ms = lambda v: None if v is None else v * 1000.0
    return {
        'records': len(samples),
        'bytes': len(samples) * args.size,
        'elapsedSeconds': elapsed,
        'targetRate': rate,
        'achievedRate': len(samples) / elapsed if elapsed > 0 else 0,
        'failed': len(errors),
        'skipped': skipped,
        'errors': errors[:5],
        'clientCpuSeconds': cpu,
        'processCpuSeconds': cpu_seconds(),
        'requests': stats.summary(),
        'latencyMs': {'p50': ms(percentile(samples, 0.5)), 'p99': ms(percentile(samples, 0.99)), 'p999': ms(percentile(samples, 0.999)), 'max': ms(samples[-1] if samples else None)},
        # librdkafka's own enqueue-to-ack time (excludes the Python callback dispatch).
        'librdkafkaLatencyMs': {'p50': ms(percentile(rd, 0.5)), 'p99': ms(percentile(rd, 0.99)), 'p999': ms(percentile(rd, 0.999))},
    }


def consume(args):
    c = Consumer({
        'bootstrap.servers': args.bootstrap,
        'group.id': 'oxbow-bench-unused',  # required by the client; assign() never joins a group
        'enable.auto.commit': False,
        'enable.auto.offset.store': False,
        'enable.partition.eof': False,
        'fetch.max.bytes': 52428800,
        'max.partition.fetch.bytes': 4194304,
        'queued.max.messages.kbytes': 262144,
        'fetch.wait.max.ms': 100,
    })
    meta = c.list_topics(args.topic, timeout=10)
    parts = sorted(meta.topics[args.topic].partitions.keys())
    end = {}
    for pid in parts:
        _low, high = c.get_watermark_offsets(TopicPartition(args.topic, pid), timeout=10)
        if high > 0:
            end[pid] = high
    cpu0 = cpu_seconds()
    t0 = time.perf_counter()
    c.assign([TopicPartition(args.topic, pid, OFFSET_BEGINNING) for pid in parts])
    deadline = t0 + args.seconds
    records = 0
    nbytes = 0
    remaining = dict(end)
    errors = []
    while remaining and time.perf_counter() < deadline:
        for m in c.consume(10000, 0.5):
            if m.error() is not None:
                errors.append(str(m.error()))
                continue
            records += 1
            nbytes += len(m.value())
            pid = m.partition()
            if pid in remaining and m.offset() + 1 >= remaining[pid]:
                del remaining[pid]
    elapsed = time.perf_counter() - t0
    cpu = cpu_seconds() - cpu0
    c.close()
    return {
        'records': records,
        'bytes': nbytes,
        'expectedRecords': sum(end.values()),
        'complete': not remaining,
        'elapsedSeconds': elapsed,
        'errors': errors[:5],
        'clientCpuSeconds': cpu,
        'processCpuSeconds': cpu_seconds(),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('command', choices=['create-topic', 'produce', 'consume'])
    ap.add_argument('bootstrap')
    ap.add_argument('topic')
    ap.add_argument('partitions', nargs='?', type=int, default=1)
    ap.add_argument('--size', type=int, default=1024)
    ap.add_argument('--acks', default='all')
    ap.add_argument('--seconds', type=float, default=5.0)
    ap.add_argument('--warmup', type=float, default=0.5)
    ap.add_argument('--rate', type=int, default=0)
    ap.add_argument('--linger-ms', type=int, default=5)
    ap.add_argument('--idempotence', action='store_true')
    ap.add_argument('--max-in-flight', type=int, default=1000000)
    args = ap.parse_args()
    try:
        if args.command == 'create-topic':
            out = create_topic(args)
        elif args.command == 'consume':
            out = consume(args)
        elif args.rate > 0:
            out = produce_paced(args)
        else:
            out = produce_throughput(args)
    except KafkaException as e:
        print(json.dumps({'error': str(e)}))
        sys.exit(1)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
