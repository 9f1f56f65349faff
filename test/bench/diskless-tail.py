"""End-to-end latency probe for the diskless bench (diskless-bench.ts): a librdkafka consumer
(Debian's python3-confluent-kafka; run with /usr/bin/python3) that tails every partition of a topic
from its end, no consumer group, and measures for each record received the wall clock at receipt
minus the record's CreateTime (set by the producer's librdkafka when produce() was called).

    diskless-tail.py BOOTSTRAP TOPIC --seconds S

Prints `ready` once every partition is assigned at its end and the first fetches went out, then,
after S seconds (a hard bound), one JSON object. Both clocks are this machine's; CreateTime has
millisecond resolution, so each sample carries up to 1 ms of rounding.
"""
import argparse
import json
import sys
import time

from confluent_kafka import OFFSET_END, Consumer, TopicPartition


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('bootstrap')
    ap.add_argument('topic')
    ap.add_argument('--seconds', type=float, default=10.0)
    args = ap.parse_args()
    c = Consumer({
        'bootstrap.servers': args.bootstrap,
        'group.id': 'oxbow-bench-tail-unused',  # required by the client; assign() never joins a group
        'enable.auto.commit': False,
        'enable.auto.offset.store': False,
        'enable.partition.eof': False,
    })
    meta = c.list_topics(args.topic, timeout=10)
    parts = sorted(meta.topics[args.topic].partitions.keys())
    c.assign([TopicPartition(args.topic, p, OFFSET_END) for p in parts])
    c.consume(1000, 1.0)  # resolves the end offsets and starts fetching
    print('ready', flush=True)
    samples = []
    errors = []
    deadline = time.time() + args.seconds
    while time.time() < deadline:
        for m in c.consume(10000, 0.05):
            now_ms = time.time() * 1000.0
            if m.error() is not None:
                if len(errors) < 5:
                    errors.append(str(m.error()))
                continue
            _kind, ts = m.timestamp()
            if ts > 0:
                samples.append(now_ms - ts)
    c.close()
    samples.sort()
    print(json.dumps({
        'records': len(samples),
        'partitions': len(parts),
        'errors': errors,
        'latencyMs': {
            'p50': percentile(samples, 0.5),
            'p99': percentile(samples, 0.99),
            'p999': percentile(samples, 0.999),
            'max': samples[-1] if samples else None,
        },
    }), flush=True)


if __name__ == '__main__':
    try:
        main()
    except Exception as e:  # noqa: BLE001 — reported to the harness as JSON
        print(json.dumps({'error': str(e)}))
        sys.exit(1)
