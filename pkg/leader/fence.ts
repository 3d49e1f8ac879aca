import type { Queryable } from '../db/index.js';

/** Thrown when a writer's fencing token is older than one already used for the shard. */
export class FencedError extends Error {
  override name = 'FencedError';
}

/**
 * Claims `shardKey` for a writer with `token` inside the caller's transaction: succeeds when no newer
 * token was used before, and blocks concurrent writers of the shard until the transaction ends.
 */
export async function claimFence(tx: Queryable, shardKey: string, token: number): Promise<void> {
  const { rowCount } = await tx.query(
    `INSERT INTO forecasting.shard_fences (shard_key, token) VALUES ($1, $2)
     ON CONFLICT (shard_key) DO UPDATE SET token = excluded.token, updated_at = now()
       WHERE forecasting.shard_fences.token <= excluded.token`,
    [shardKey, token],
  );
  if (rowCount !== 1) {
    throw new FencedError(
      `shard ${shardKey}: fencing token ${token} is older than the current one; a newer leader wrote`,
    );
  }
}
