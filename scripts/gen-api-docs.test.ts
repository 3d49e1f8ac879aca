import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_EXAMPLES } from './api-examples.js';
import { extractExamples, render, serviceDocs } from './gen-api-docs.js';

describe('docs/api.md', () => {
  it('is generated from the current OpenAPI documents and examples', async () => {
    const committed = readFileSync(path.resolve(import.meta.dirname, '../docs/api.md'), 'utf8');
    expect(committed, 'run: npx tsx scripts/gen-api-docs.ts').toBe(await render(await serviceDocs()));
  });

  it('shows every example, each under an operation its service documents', async () => {
    const docs = await serviceDocs();
    for (const e of API_EXAMPLES) {
      const [method, p] = e.operation.split(' ') as [string, string];
      const paths = docs.find((d) => d.name === e.service)?.doc.paths as
        Record<string, Record<string, { responses: Record<string, unknown> }>> | undefined;
      expect(paths?.[p]?.[method.toLowerCase()]?.responses[String(e.status)], e.title).toBeDefined();
    }
    expect(extractExamples(await render(docs))).toEqual(
      API_EXAMPLES.map((e) => ({ status: e.status, shell: e.shell })),
    );
  });

  it('documents every path of every service with a security scheme on each non-ops route', async () => {
    for (const { name, doc } of await serviceDocs()) {
      const ops = Object.entries(doc.paths ?? {}).flatMap(([p, item]) =>
        Object.values(item as Record<string, { security?: unknown[] }>).map((op) => [p, op] as const),
      );
      expect(ops.length, name).toBeGreaterThan(3);
      for (const [p, op] of ops)
        if (!['/health', '/ready', '/metrics'].includes(p))
          expect(op.security, `${name} ${p}`).toHaveLength(1);
    }
  });
});
