/**
 * docs/api.md's curl examples, run with the real `curl` in bash, in document order, against the
 * real ingest, aggregator and forecast-api binaries on a fresh Postgres database with JWT auth on.
 * Each must get the status the document states, and a JSON body must match the response schema
 * of that status in the service's /openapi.json (which must be the document the docs came from).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../pkg/auth/index.js';
import { API_EXAMPLES } from '../../scripts/api-examples.js';
import { extractExamples, serviceDocs } from '../../scripts/gen-api-docs.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { startBinary, type ChildService } from './support/process.js';

const root = path.resolve(import.meta.dirname, '../..');
const SECRET = 'api-docs-test-secret-0123456789abcdef';
const SERVICES = [
  ['ingest', 'CATCAST_INGEST'],
  ['aggregator', 'CATCAST_AGGREGATOR'],
  ['forecast-api', 'CATCAST_FORECAST'],
] as const;

let db: TestDatabase;
const children: ChildService[] = [];

beforeAll(async () => {
  db = await createTestDatabase('apidocs');
  for (const [name] of SERVICES)
    children.push(
      startBinary(name, { DATABASE_URL: db.url, PORT: '0', AUTH_MODE: 'jwt', AUTH_HS256_SECRET: SECRET }),
    );
}, 120_000);

afterAll(async () => {
  await Promise.all(children.map((c) => c.stop()));
  await db?.drop();
});

function bash(script: string, vars: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  // Every curl also prints its status on a line of its own; the last one is the example's.
  const preamble = `curl() { command curl -w '\\n@@status %{http_code}\\n' "$@"; }\n`;
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      ['-c', preamble + script],
      { cwd: root, env: { ...process.env, ...vars }, timeout: 30_000, maxBuffer: 8 << 20 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve({ stdout, stderr }),
    );
  });
}

describe('docs/api.md examples against the real services', () => {
  it('runs every example with curl and gets the documented status and shape', async () => {
    const docs = await serviceDocs();
    const markdown = readFileSync(path.join(root, 'docs/api.md'), 'utf8');
    const blocks = extractExamples(markdown);
    expect(blocks.length).toBe(API_EXAMPLES.length);

    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const vars: Record<string, string> = {
      CATCAST_TOKEN: await mintToken({ secret: SECRET, scopes: ['admin'], merchants: '*' }),
    };
    for (const [i, [name, envVar]] of SERVICES.entries()) {
      const url = `http://127.0.0.1:${await children[i]!.port()}`;
      vars[envVar] = url;
      const served = (await (await fetch(`${url}/openapi.json`)).json()) as object;
      const generated = docs.find((d) => d.name === name)!.doc;
      expect(served, `${name} /openapi.json is the document docs/api.md was generated from`).toEqual(
        JSON.parse(JSON.stringify(generated)),
      );
      ajv.addSchema({ ...served, $id: `urn:catcast:${name}` });
    }

    for (const [i, block] of blocks.entries()) {
      const example = API_EXAMPLES[i]!;
      expect(block.shell, 'docs/api.md is stale (run scripts/gen-api-docs.ts)').toBe(example.shell);
      const { stdout } = await bash(block.shell, vars);
      const parts = stdout.split(/\n?@@status (\d{3})\n/);
      // parts: [body0, status0, body1, status1, ..., trailing]
      const status = Number(parts[parts.length - 2]);
      const body = parts[parts.length - 3] ?? '';
      expect(status, `${example.title}\n${block.shell}\n${body}`).toBe(block.status);

      const [method, p] = example.operation.split(' ') as [string, string];
      const pointer = ['paths', p, method.toLowerCase(), 'responses', String(status)]
        .map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1'))
        .join('/');
      const media = status < 300 || status === 304 ? 'application/json' : 'application/problem+json';
      const validate = ajv.getSchema(
        `urn:catcast:${example.service}#/${pointer}/content/${media.replace(/\//g, '~1')}/schema`,
      );
      expect(validate, `${example.operation} ${status} is documented`).toBeDefined();
      if (example.operation === 'GET /metrics') continue;
      const ok = validate!(JSON.parse(body));
      expect(ok ? [] : validate!.errors, `${example.title}: body matches the schema\n${body}`).toEqual([]);
    }
  }, 180_000);
});
