import type { Admin } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { readConsumerLag } from './lag.js';

type Ends = Awaited<ReturnType<Admin['fetchTopicOffsets']>>;
type Committed = Awaited<ReturnType<Admin['fetchOffsets']>>;

function admin(ends: Ends, committed: Committed): Admin {
  return {
    fetchTopicOffsets: () => Promise.resolve(ends),
    fetchOffsets: () => Promise.resolve(committed),
  } as unknown as Admin;
}

const end = (partition: number, low: string, high: string) => ({ partition, low, high, offset: high });

describe('readConsumerLag', () => {
  it('sums end offset minus committed offset over the partitions', async () => {
    const lag = await readConsumerLag(
      admin(
        [end(1, '0', '40'), end(0, '0', '100'), end(2, '0', '7')],
        [
          {
            topic: 't',
            partitions: [
              { partition: 0, offset: '90', metadata: null },
              { partition: 1, offset: '40', metadata: null },
              { partition: 2, offset: '3', metadata: null },
            ],
          },
        ],
      ),
      'g',
      't',
    );
    expect(lag.partitions.map((p) => [p.partition, p.lag])).toEqual([
      [0, 10],
      [1, 0],
      [2, 4],
    ]);
    expect(lag.total).toBe(14);
  });

  it('counts a partition the group never committed on from its earliest retained offset', async () => {
    const lag = await readConsumerLag(
      admin(
        [end(0, '25', '30'), end(1, '0', '0')],
        [{ topic: 't', partitions: [{ partition: 0, offset: '-1', metadata: null }] }],
      ),
      'g',
      't',
    );
    expect(lag.partitions).toEqual([
      { partition: 0, committed: null, end: '30', lag: 5 },
      { partition: 1, committed: null, end: '0', lag: 0 },
    ]);
    expect(lag.total).toBe(5);
  });

  it('never reports negative lag (a commit read after a newer end offset)', async () => {
    const lag = await readConsumerLag(
      admin(
        [end(0, '0', '10')],
        [{ topic: 't', partitions: [{ partition: 0, offset: '12', metadata: null }] }],
      ),
      'g',
      't',
    );
    expect(lag.total).toBe(0);
  });

  it('handles offsets beyond 2^53 exactly until the difference', async () => {
    const lag = await readConsumerLag(
      admin(
        [end(0, '0', '9007199254740999')],
        [{ topic: 't', partitions: [{ partition: 0, offset: '9007199254740990', metadata: null }] }],
      ),
      'g',
      't',
    );
    expect(lag.total).toBe(9);
  });
});
