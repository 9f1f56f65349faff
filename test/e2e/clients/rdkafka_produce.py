"""Produces a varied, seeded record set with librdkafka and writes a manifest of what was sent.

usage: rdkafka_produce.py BOOTSTRAP TOPIC PARTITIONS COUNT MANIFEST_PATH [SEED]

One producer per (codec, acks) pair: none/gzip/snappy/lz4/zstd x acks 0/1/all, non-idempotent,
all sending at once so their batches interleave on each partition. Records carry keys (~5% null,
some empty), several headers (empty values, null values, an empty header key, duplicate keys,
non-ASCII keys), distinct non-monotonic CreateTime timestamps, ~2% tombstones and sizes from 0 B to
1 MiB (a handful of large ones). Partitions are chosen explicitly so the manifest knows them
up-front. The manifest (JSON lines, send order) holds per record: producer, codec, acks, partition,
key/value length+sha256 (null for null), headers (hex values), timestamp and, for acked producers,
the offset from the delivery report.
"""
import json
import random
import sys
import time

from confluent_kafka import Producer

from rdkafka_common import Deadline, client_config, digest, emit, err_repr, headers_repr

CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd']
ACKS = ['0', '1', 'all']
LARGE = [65536, 262144, 524288, 1048575, 1048576, 1048576]  # sizes of the handful of large values (up to 1 MiB)
HEADER_POOL = [
    ('trace-id', lambda r: r.randbytes(16)),
    ('empty', lambda r: b''),
    ('dup', lambda r: b'first'),
    ('dup', lambda r: b'second'),
    ('', lambda r: b'empty-key'),
    ('null-value', lambda r: None),
    ('ключ', lambda r: 'значение'.encode('utf-8')),
    ('bin', lambda r: bytes(range(256))[: r.randrange(0, 256)]),
]


def make_records(rng, count, partitions, base_ts):
    # Distinct timestamps, shuffled so they are not monotonic in send order or on any partition.
    slots = list(range(count))
    rng.shuffle(slots)
    large_at = sorted(rng.sample(range(count), 12))
    records = []
    for i in range(count):
        r = rng.random()
        key = None if r < 0.05 else (b'' if r < 0.07 else (rng.randbytes(rng.randrange(1, 40)) if r < 0.3 else f'key-{rng.randrange(1000)}'.encode()))
        if i in large_at:
            value = rng.randbytes(LARGE[large_at.index(i) % len(LARGE)])  # incompressible
        else:
            v = rng.random()
            if v < 0.02:
                value = None  # tombstone
            elif v < 0.05:
                value = b''
            elif v < 0.08:
                value = rng.randbytes(rng.randrange(1024, 16384))
            else:
                value = (f'value-{i}-'.encode() * 40)[: rng.randrange(1, 400)]
        nh = rng.choice([0, 0, 1, 2, 3, 5, 8])
        headers = [(k, f(rng)) for k, f in (rng.sample(HEADER_POOL, min(nh, len(HEADER_POOL))))]
        if rng.random() < 0.1:
            headers += [('dup', b'first'), ('dup', b''), ('dup', None)]  # duplicate key, order matters
        records.append({
            'i': i,
            'partition': rng.randrange(partitions),
            'key': key,
            'value': value,
            'headers': headers,
            'timestamp': base_ts + slots[i] * 3 + 1,
        })
    return records


def main():
    bootstrap, topic, partitions, count, manifest_path, *rest = sys.argv[1:]
    partitions, count = int(partitions), int(count)
    seed = int(rest[0]) if rest else 1
    rng = random.Random(seed)
    base_ts = int(time.time() * 1000) - 3 * 3600 * 1000  # within retention, in the past
    records = make_records(rng, count, partitions, base_ts)

    producers = []
    for codec in CODECS:
        for acks in ACKS:
            producers.append({
                'name': f'{codec}/acks={acks}',
                'codec': codec,
                'acks': acks,
                'p': Producer(client_config(
                    bootstrap,
                    **{
                        'compression.type': codec,
                        'acks': acks,
                        'enable.idempotence': False,
                        'retries': 0,  # no retries: a failed request must show as a delivery error, not a reorder
                        'linger.ms': 5,
                        'message.max.bytes': 1500000,  # > 1 MiB + overhead, < topic's 2 MiB even after compression
                        'message.timeout.ms': 30000,
                        'request.timeout.ms': 15000,
                        'retry.backoff.ms': 100,
                    },
                )),
                'seq': 0,
            })

    reports = {}
    errors = []

    def on_delivery(i):
        def cb(err, msg):
            if err is not None:
                errors.append({'i': i, 'error': err_repr(err)})
            reports[i] = {'partition': msg.partition(), 'offset': msg.offset()}
        return cb

    started = time.monotonic()
    deadline = Deadline(60)
    for rec in records:
        if deadline.expired():
            break
        prod = producers[rec['i'] % len(producers)]
        rec['producer'] = prod['name']
        rec['codec'] = prod['codec']
        rec['acks'] = prod['acks']
        rec['seq'] = prod['seq']
        prod['seq'] += 1
        kwargs = {'partition': rec['partition'], 'value': rec['value'], 'key': rec['key'], 'timestamp': rec['timestamp'], 'on_delivery': on_delivery(rec['i'])}
        if rec['headers']:
            kwargs['headers'] = rec['headers']
        while True:
            try:
                prod['p'].produce(topic, **kwargs)
                break
            except BufferError:
                prod['p'].poll(0.05)
                if deadline.expired():
                    raise
        prod['p'].poll(0)
    unflushed = 0
    for prod in producers:
        unflushed += prod['p'].flush(max(1.0, deadline.left()))
    elapsed = time.monotonic() - started

    with open(manifest_path, 'w') as out:
        for rec in records:
            dr = reports.get(rec['i'], {})
            acked = rec.get('acks') in ('1', 'all')
            out.write(json.dumps({
                'i': rec['i'],
                'producer': rec.get('producer'),
                'codec': rec.get('codec'),
                'acks': rec.get('acks'),
                'seq': rec.get('seq'),
                'partition': rec['partition'],
                'key': digest(rec['key']),
                'value': digest(rec['value']),
                'headers': headers_repr(rec['headers']),
                'timestamp': rec['timestamp'],
                'offset': dr.get('offset') if acked else None,
            }) + '\n')

    sent = sum(p['seq'] for p in producers)
    summary = {
        'sent': sent,
        'delivered': len(reports) - len(errors),
        'unflushed': unflushed,
        'errors': errors[:20],
        'errorCount': len(errors),
        'elapsedS': round(elapsed, 2),
        'perProducer': {p['name']: p['seq'] for p in producers},
        'nullKeys': sum(1 for r in records if r['key'] is None),
        'emptyKeys': sum(1 for r in records if r['key'] == b''),
        'tombstones': sum(1 for r in records if r['value'] is None),
        'emptyValues': sum(1 for r in records if r['value'] == b''),
        'maxValueBytes': max(len(r['value']) for r in records if r['value'] is not None),
        'largeValues': sum(1 for r in records if r['value'] is not None and len(r['value']) >= 65536),
        'withHeaders': sum(1 for r in records if r['headers']),
    }
    emit(summary, sent == count and unflushed == 0 and not errors and len(reports) == count)


if __name__ == '__main__':
    main()
