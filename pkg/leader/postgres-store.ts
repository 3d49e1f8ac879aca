import type { Queryable } from '../db/index.js';
import { isUniqueViolation } from '../db/index.js';
import { LeaseConflictError, type LeaseRecord, type LeaseStore, type StoredLease } from './store.js';

interface Row {
  holder_identity: string;
  lease_duration_seconds: number;
  acquire_time: Date | null;
  renew_time: Date | null;
  lease_transitions: number;
  version: bigint;
}

function toLease(r: Row): StoredLease {
  return {
    holderIdentity: r.holder_identity,
    leaseDurationSeconds: r.lease_duration_seconds,
    acquireTime: r.acquire_time,
    renewTime: r.renew_time,
    leaseTransitions: r.lease_transitions,
    version: String(r.version),
  };
}

const COLUMNS =
  'holder_identity, lease_duration_seconds, acquire_time, renew_time, lease_transitions, version';

/** LeaseStore on the forecasting.leases table, with a version column for optimistic concurrency. */
export class PostgresLeaseStore implements LeaseStore {
  readonly description = 'postgres forecasting.leases';
  constructor(private readonly db: Queryable) {}

  async get(name: string): Promise<StoredLease | null> {
    const { rows } = await this.db.query<Row>(`SELECT ${COLUMNS} FROM forecasting.leases WHERE name = $1`, [
      name,
    ]);
    return rows[0] ? toLease(rows[0]) : null;
  }

  async create(name: string, r: LeaseRecord): Promise<StoredLease> {
    try {
      const { rows } = await this.db.query<Row>(
        `INSERT INTO forecasting.leases (name, holder_identity, lease_duration_seconds, acquire_time, renew_time, lease_transitions, version)
         VALUES ($1, $2, $3, $4, $5, $6, 1) RETURNING ${COLUMNS}`,
        [name, r.holderIdentity, r.leaseDurationSeconds, r.acquireTime, r.renewTime, r.leaseTransitions],
      );
      return toLease(rows[0]!);
    } catch (err) {
      if (isUniqueViolation(err))
        throw new LeaseConflictError(`lease ${name} already exists`, { cause: err });
      throw err;
    }
  }

  async update(name: string, r: LeaseRecord, version: string): Promise<StoredLease> {
    const { rows } = await this.db.query<Row>(
      `UPDATE forecasting.leases
          SET holder_identity = $2, lease_duration_seconds = $3, acquire_time = $4, renew_time = $5,
              lease_transitions = $6, version = version + 1
        WHERE name = $1 AND version = $7
        RETURNING ${COLUMNS}`,
      [
        name,
        r.holderIdentity,
        r.leaseDurationSeconds,
        r.acquireTime,
        r.renewTime,
        r.leaseTransitions,
        version,
      ],
    );
    if (!rows[0]) throw new LeaseConflictError(`lease ${name} changed since version ${version}`);
    return toLease(rows[0]);
  }
}
