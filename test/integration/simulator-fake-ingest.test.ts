// The simulator's fake ingest (pkg/simulator/fake-ingest.ts) is checked against the real thing: the
// ingest protocol contract (pkg/simulator/ingest-contract.ts) run against the ingest app on Postgres.
// The same suite runs against the fake in pkg/simulator/fake-ingest.test.ts.
import { afterAll, beforeAll } from 'vitest';
import { describeIngestContract } from '../../pkg/simulator/ingest-contract.js';
import { createIngestHarness, type IngestHarness } from './ingest-fixtures.js';

let h: IngestHarness;

beforeAll(async () => {
  h = await createIngestHarness('simcontract');
});
afterAll(async () => h?.db.drop());

describeIngestContract('real ingest on Postgres', () =>
  Promise.resolve({
    fetch: ((input: string | URL | Request, init?: RequestInit) =>
      h.app.request(input, init)) as typeof fetch,
    baseUrl: 'http://ingest',
  }),
);
