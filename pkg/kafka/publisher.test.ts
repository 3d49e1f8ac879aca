import fc from 'fast-check';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { memoizedDefaultPartitioner } from './publisher.js';

const partitions = (n: number): PartitionMetadata[] =>
  Array.from({ length: n }, (_, i) => ({
    partitionId: i,
    leader: 1,
    replicas: [1],
    isr: [1],
    offlineReplicas: [],
    partitionErrorCode: 0,
  }));

describe('memoizedDefaultPartitioner', () => {
  it('picks the DefaultPartitioner partition for every key, also when asked again or after the partition count changed', () => {
    const memo = memoizedDefaultPartitioner();
    const reference = Partitioners.DefaultPartitioner();
    fc.assert(
      fc.property(
        fc.string(),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom('a', 'b'),
        (key, n, topic) => {
          const args = { topic, partitionMetadata: partitions(n), message: { key, value: 'v' } };
          const expected = reference(args);
          expect(memo(args)).toBe(expected);
          expect(memo(args)).toBe(expected);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['an explicit partition', { key: 'k', value: 'v', partition: 4 }, 4],
    ['a Buffer key', { key: Buffer.from('m-1'), value: 'v' }, undefined],
  ])('hands a message with %s to the DefaultPartitioner', (_name, message, expected) => {
    const args = { topic: 't', partitionMetadata: partitions(6), message };
    const got = memoizedDefaultPartitioner()(args);
    expect(got).toBe(expected ?? Partitioners.DefaultPartitioner()(args));
  });
});
