import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { boundaryConfigs, boundaryViolation, layers, packageMapTable } from './lint/boundaries.js';

const ROOT = path.resolve(import.meta.dirname, '..');

/** ESLint with only the boundary rule (no type information: fast, and a virtual file is fine). */
function boundaryLinter(): ESLint {
  return new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    allowInlineConfig: false,
    overrideConfig: [
      { files: ['**/*.ts', '**/*.tsx'], languageOptions: { parser: tseslint.parser } },
      ...boundaryConfigs,
    ],
  });
}

describe('boundaryViolation', () => {
  it.each([
    // [importer, imported, allowed]
    ['pkg/http/problem.ts', 'pkg/log/index.ts', true],
    ['pkg/http/problem.ts', 'pkg/db/index.ts', false],
    ['pkg/db/pool.ts', 'pkg/http/index.ts', false],
    ['pkg/kafka/publisher.ts', 'pkg/bus/index.ts', true],
    ['pkg/bus/embedded.ts', 'pkg/kafka/index.ts', false],
    ['pkg/orders/service.ts', 'pkg/catalog/index.ts', true],
    ['pkg/catalog/store.ts', 'pkg/orders/index.ts', false],
    ['pkg/ingest/app.ts', 'pkg/orders/index.ts', true],
    ['pkg/ingest/app.ts', 'pkg/aggregation/index.ts', false],
    ['pkg/forecast-api/app.ts', 'pkg/forecast-job/index.ts', true],
    ['pkg/forecast-job/job.ts', 'pkg/forecast-api/index.ts', false],
    ['pkg/buckets/index.ts', 'pkg/config/index.ts', false],
    ['pkg/devstack/dev.ts', 'pkg/aggregation/index.ts', true],
    ['pkg/forecast-api/config.ts', 'pkg/ui/config.ts', false],
    ['pkg/forecast-api/app.ts', 'pkg/forecast-api/compute.ts', true],
    ['pkg/aggregation/run.ts', 'cmd/aggregator/main.ts', false],
    ['pkg/http/server.ts', 'test/integration/support/pg.ts', false],
    ['pkg/http/problem.ts', 'pkg/nowhere/index.ts', false],
    ['cmd/ingest/main.ts', 'pkg/ingest/index.ts', true],
    ['cmd/ingest/main.ts', 'pkg/ingest/app.ts', false],
    ['cmd/ingest/main.ts', 'cmd/relay/main.ts', false],
    ['ui/src/lib/period.ts', 'pkg/buckets/index.ts', true],
    ['ui/src/lib/period.ts', 'pkg/http/index.ts', false],
    // Tests, benchmarks and scripts may reach anything.
    ['pkg/http/problem.test.ts', 'pkg/db/index.ts', true],
    ['test/integration/x.test.ts', 'pkg/ingest/app.ts', true],
    ['scripts/gen-api-docs.ts', 'pkg/forecast-api/app.ts', true],
  ])('%s -> %s allowed: %s', (from, to, allowed) => {
    const why = boundaryViolation(from, to);
    if (allowed) expect(why).toBeUndefined();
    else expect(why).toMatch(/\S/);
  });

  it('names both packages and their layers when an import runs upwards', () => {
    expect(boundaryViolation('pkg/db/pool.ts', 'pkg/orders/index.ts')).toBe(
      'pkg/db (adapters) may not import pkg/orders (domain, a higher layer)',
    );
  });
});

describe('the package-boundaries lint rule', () => {
  it('fails a file that imports pkg/db from pkg/http', async () => {
    const [result] = await boundaryLinter().lintText(
      "import { isUnavailableError } from '../db/index.js';\nexport const x = isUnavailableError;\n",
      { filePath: path.join(ROOT, 'pkg/http/forbidden-fixture.ts') },
    );
    expect(result?.errorCount).toBe(1);
    expect(result?.messages[0]).toMatchObject({ ruleId: 'catcast/package-boundaries', severity: 2 });
    expect(result?.messages[0]?.message).toContain('pkg/http and pkg/db are both adapters');
  });

  it.each([
    ["export { x } from '../../pkg/ingest/app.js';", 'cmd/ingest/fixture.ts'],
    ["const m = await import('../aggregation/index.js');\nexport { m };", 'pkg/ingest/fixture.ts'],
    ["export type T = import('../orders/index.js').OrderView;", 'pkg/catalog/fixture.ts'],
    ["export * from '../../../pkg/db/index.js';", 'ui/src/lib/fixture.ts'],
  ])('fails `%s` in %s (re-exports, dynamic and type imports too)', async (code, file) => {
    const [result] = await boundaryLinter().lintText(code, { filePath: path.join(ROOT, file) });
    expect(result?.messages.map((m) => m.ruleId)).toEqual(['catcast/package-boundaries']);
  });

  it('passes an import the map allows', async () => {
    const [result] = await boundaryLinter().lintText(
      "import { createPool } from '../db/index.js';\nexport const p = createPool;\n",
      { filePath: path.join(ROOT, 'pkg/leader/allowed-fixture.ts') },
    );
    expect(result?.messages).toEqual([]);
  });

  it('is switched on by eslint.config.js for pkg, cmd and ui/src', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    for (const file of ['pkg/http/problem.ts', 'cmd/ingest/main.ts', 'ui/src/lib/period.ts']) {
      const config = (await eslint.calculateConfigForFile(path.join(ROOT, file))) as {
        rules?: Record<string, unknown>;
      };
      expect(config.rules?.['catcast/package-boundaries'], file).toEqual([2]);
    }
  });

  it('passes on the real tree', { timeout: 180_000 }, async () => {
    const results = await boundaryLinter().lintFiles(['pkg', 'cmd', 'ui/src']);
    const found = results.flatMap((r) =>
      r.messages.map((m) => `${path.relative(ROOT, r.filePath)}:${m.line} ${m.message}`),
    );
    expect(found).toEqual([]);
    expect(results.length).toBeGreaterThan(100);
  });
});

describe('the package map', () => {
  it('places every pkg/ folder, and only folders that exist', () => {
    const folders = readdirSync(path.join(ROOT, 'pkg'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect(layers.flatMap((l) => l.packages).sort()).toEqual(folders);
  });

  it('is the table in docs/architecture.md', () => {
    const doc = readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');
    expect(doc, 'paste packageMapTable() of scripts/lint/boundaries.js into docs/architecture.md').toContain(
      packageMapTable(),
    );
  });
});
