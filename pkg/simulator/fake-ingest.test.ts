import { createFakeIngest } from './fake-ingest.js';
import { describeIngestContract } from './ingest-contract.js';

describeIngestContract('fake ingest', () => {
  const fake = createFakeIngest();
  return Promise.resolve({ fetch: fake.fetch, baseUrl: 'http://fake-ingest' });
});
