/**
 * The UI's typed client (ui/src/api) checked against the services' OpenAPI documents: every request
 * the client builds must hit a documented path with documented query parameters (and all required
 * ones), and every field the UI reads (ui/src/api/contract.ts) must exist in the 200 schema with a
 * type the UI accepts. A changed API therefore fails `make test`, not the merchant's page.
 */
import { describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient } from '../ui/src/api/client.js';
import {
  categoryPathSpec,
  categorySalesSpec,
  checkSchema,
  compareModelsSpec,
  forecastTopSpec,
  merchantDetailSpec,
  merchantListSpec,
  modelCatalogSpec,
  nowcastSpec,
  topCategoriesSpec,
  type FieldSpec,
} from '../ui/src/api/contract.js';
import { serviceDocs } from './gen-api-docs.js';

interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly required?: boolean;
}
interface Operation {
  readonly parameters?: readonly Parameter[];
  readonly responses: Record<string, { content?: Record<string, { schema: object }> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

// One call per client method with every optional parameter set, and the spec of what it reads.
// Typed by ApiClient's keys, so a new client method does not compile until it is listed here.
const CALLS: { [K in keyof ApiClient]: [(c: ApiClient) => Promise<unknown>, FieldSpec] } = {
  merchants: [(c) => c.merchants(), merchantListSpec],
  merchant: [(c) => c.merchant('acme'), merchantDetailSpec],
  topCategories: [
    (c) => c.topCategories({ merchantId: 'acme', bucketType: 'WEEK', bucketStart: '2026-11-16', limit: 10 }),
    topCategoriesSpec,
  ],
  categorySales: [
    (c) =>
      c.categorySales({
        merchantId: 'acme',
        bucketType: 'MONTH',
        from: '2026-01-01',
        to: '2026-11-01',
        categoryId: 'shoes',
      }),
    categorySalesSpec,
  ],
  forecastTop: [
    (c) => c.forecastTop({ merchantId: 'acme', bucketType: 'MONTH', model: 'auto', limit: 5 }),
    forecastTopSpec,
  ],
  compareModels: [
    (c) => c.compareModels({ merchantId: 'acme', bucketType: 'MONTH', categoryId: 'shoes' }),
    compareModelsSpec,
  ],
  categoryPath: [
    (c) =>
      c.categoryPath({
        merchantId: 'acme',
        bucketType: 'MONTH',
        categoryId: 'shoes',
        model: 'auto',
        horizon: 12,
      }),
    categoryPathSpec,
  ],
  models: [(c) => c.models(), modelCatalogSpec],
  nowcast: [
    (c) => c.nowcast({ merchantId: 'acme', bucketType: 'WEEK', model: 'auto', limit: 100 }),
    nowcastSpec,
  ],
};

/** The documented operation a concrete path matches (`/api/merchants/acme` -> `/api/merchants/{merchantId}`). */
function match(docs: readonly Doc[], pathname: string): { doc: Doc; op: Operation } | undefined {
  for (const doc of docs)
    for (const [template, item] of Object.entries(doc.paths)) {
      const re = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      if (re.test(pathname) && item.get) return { doc, op: item.get };
    }
  return undefined;
}

describe('the UI API client against the OpenAPI documents', () => {
  it.each(Object.entries(CALLS))('%s', async (_name, [call, spec]) => {
    const docs = (await serviceDocs()).map((s) => s.doc as unknown as Doc);
    const urls: URL[] = [];
    const client = createApiClient({
      baseUrl: 'http://catcast.test',
      fetch: ((input: string | URL) => {
        urls.push(new URL(String(input)));
        return Promise.resolve(new Response('{}', { headers: { 'content-type': 'application/json' } }));
      }) as typeof fetch,
    });
    await call(client);
    expect(urls).toHaveLength(1);
    const url = urls[0]!;
    const found = match(docs, url.pathname);
    expect(found, `GET ${url.pathname} is documented`).toBeDefined();
    const { doc, op } = found!;
    const query = (op.parameters ?? []).filter((p) => p.in === 'query');
    for (const key of url.searchParams.keys())
      expect(
        query.map((p) => p.name),
        `query parameter ${key} of ${url.pathname}`,
      ).toContain(key);
    for (const p of query.filter((q) => q.required))
      expect(url.searchParams.has(p.name), `required ${p.name} of ${url.pathname}`).toBe(true);
    const schema = op.responses['200']?.content?.['application/json']?.schema;
    expect(schema, `200 schema of ${url.pathname}`).toBeDefined();
    expect(checkSchema(doc, schema!, spec)).toEqual([]);
  });
});
