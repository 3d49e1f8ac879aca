/**
 * Generates docs/api.md from the OpenAPI 3.1 documents the three HTTP services serve (ingest,
 * aggregator, forecast-api) plus the curl examples of scripts/api-examples.ts, which
 * test/integration/api-docs.test.ts runs against the real services. `--check` fails when the
 * committed file is out of date (also run by the unit tests), so the document cannot drift.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { aggregatorOpenApi } from '../pkg/aggregation/index.js';
import { forecastOpenApi } from '../pkg/forecast-api/index.js';
import type { OpenApiDocument } from '../pkg/http/index.js';
import { ingestOpenApi } from '../pkg/ingest/index.js';
import { API_EXAMPLES } from './api-examples.js';

const root = path.resolve(import.meta.dirname, '..');
const target = path.join(root, 'docs/api.md');

/** A JSON Schema node of the documents (the parts rendered here). */
interface Schema {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly format?: string;
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly default?: unknown;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly items?: Schema;
  readonly anyOf?: readonly Schema[];
  readonly oneOf?: readonly Schema[];
}

interface Operation {
  readonly summary?: string;
  readonly security?: ReadonlyArray<Record<string, string[]>>;
  readonly parameters?: ReadonlyArray<{
    name: string;
    in: string;
    required?: boolean;
    description?: string;
    schema: Schema;
  }>;
  readonly requestBody?: { content: Record<string, { schema: Schema }> };
  readonly responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
}

/** A service and where its document comes from. */
export interface ServiceDoc {
  readonly name: string;
  readonly envVar: string;
  readonly port: number;
  readonly doc: OpenApiDocument;
}

/** The three documents, exactly as GET /openapi.json serves them. */
export function serviceDocs(): Promise<ServiceDoc[]> {
  return Promise.resolve([
    { name: 'ingest', envVar: 'CATCAST_INGEST', port: 8081, doc: ingestOpenApi() },
    { name: 'aggregator', envVar: 'CATCAST_AGGREGATOR', port: 8082, doc: aggregatorOpenApi() },
    { name: 'forecast-api', envVar: 'CATCAST_FORECAST', port: 8090, doc: forecastOpenApi() },
  ]);
}

const refName = (ref: string) => ref.split('/').pop()!;
const anchor = (ns: string, name: string) => `schema-${ns}-${name.toLowerCase()}`;
const OPS = new Set(['/health', '/ready', '/metrics']);
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function typeOf(s: Schema, ns: string): string {
  if (s.$ref) return `[${refName(s.$ref)}](#${anchor(ns, refName(s.$ref))})`;
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return alts.map((a) => typeOf(a, ns)).join(' or ');
  // Long lists (ISO 4217 codes, IANA zones) are named by size; the document itself lists them all.
  if (s.enum && s.enum.length > 20)
    return `one of ${s.enum.length} values (${s.enum
      .slice(0, 3)
      .map((v) => `\`${JSON.stringify(v)}\``)
      .join(', ')}, ...; listed in \`/openapi.json\`)`;
  if (s.enum) return s.enum.map((v) => `\`${JSON.stringify(v)}\``).join(', ');
  const types = typeof s.type === 'string' ? [s.type] : [...(s.type ?? [])];
  const named = types.map((t) =>
    t === 'array' && s.items ? `${typeOf(s.items, ns)}[]` : t === 'string' && s.format ? s.format : t,
  );
  return named.join(' or ') || 'any';
}

function constraints(s: Schema): string {
  const out: string[] = [];
  if (s.pattern) out.push(`pattern \`${s.pattern}\``);
  if (s.minLength !== undefined || s.maxLength !== undefined)
    out.push(`length ${s.minLength ?? 0}..${s.maxLength ?? '∞'}`);
  if (s.minimum !== undefined || s.maximum !== undefined)
    out.push(`${s.minimum ?? '-∞'}..${s.maximum ?? '∞'}`);
  if (s.minItems !== undefined || s.maxItems !== undefined)
    out.push(`${s.minItems ?? 0}..${s.maxItems ?? '∞'} items`);
  if (s.default !== undefined) out.push(`default \`${JSON.stringify(s.default)}\``);
  return out.join('; ');
}

function describe(s: Schema): string {
  return [s.description, constraints(s)].filter(Boolean).join('. ');
}

/** Rows `| field | type | required | notes |` of an object schema, nested objects and arrays flattened. */
function fieldRows(s: Schema, ns: string, prefix = '', depth = 0): string[] {
  if (s.$ref || !s.properties) {
    const inner = s.items;
    if (inner && !inner.$ref && inner.properties && depth < 4)
      return fieldRows(inner, ns, `${prefix}[]`, depth);
    return [];
  }
  const required = new Set(s.required ?? []);
  return Object.entries(s.properties).flatMap(([k, p]) => {
    const name = prefix ? `${prefix}.${k}` : k;
    const own = `| \`${name}\` | ${cell(typeOf(p, ns))} | ${required.has(k) ? 'yes' : 'no'} | ${cell(describe(p))} |`;
    const objectItems = p.items && !p.items.$ref && p.items.properties;
    const nested =
      depth < 4 && !p.$ref && (p.properties || objectItems)
        ? fieldRows(objectItems ? p.items : p, ns, objectItems ? `${name}[]` : name, depth + 1)
        : [];
    return [own, ...nested];
  });
}

function fieldTable(s: Schema, ns: string): string[] {
  const rows = fieldRows(s, ns);
  if (rows.length === 0) return [`Body: ${typeOf(s, ns)}`, ''];
  return ['| field | type | required | notes |', '| --- | --- | --- | --- |', ...rows, ''];
}

function renderOperation(service: ServiceDoc, method: string, p: string, op: Operation): string[] {
  const ns = service.name;
  const key = `${method.toUpperCase()} ${p}`;
  const lines = [`### \`${key}\``, ''];
  if (op.summary) lines.push(op.summary, '');
  const scopes = (op.security ?? []).flatMap((r) => Object.values(r).flat());
  lines.push(
    scopes.length
      ? `Auth: \`Authorization: Bearer <jwt>\` with scope ${scopes.map((s) => `\`${s}\``).join(', ')} (or \`admin\`).`
      : 'Auth: none.',
    '',
  );
  if (op.parameters?.length) {
    lines.push('| parameter | in | type | required | notes |', '| --- | --- | --- | --- | --- |');
    for (const prm of op.parameters)
      lines.push(
        `| \`${prm.name}\` | ${prm.in} | ${cell(typeOf(prm.schema, ns))} | ${prm.required ? 'yes' : 'no'} | ${cell(
          [prm.description ?? prm.schema.description, constraints(prm.schema)]
            .filter((x, i, a) => x && a.indexOf(x) === i)
            .join('. '),
        )} |`,
      );
    lines.push('');
  }
  const body = op.requestBody?.content['application/json']?.schema;
  if (body) lines.push(`Request body (\`application/json\`): ${typeOf(body, ns)}`, '');
  lines.push('| status | meaning | body |', '| --- | --- | --- |');
  for (const [status, r] of Object.entries(op.responses)) {
    const [type, media] = Object.entries(r.content ?? {})[0] ?? [];
    lines.push(
      `| ${status} | ${cell(r.description)} | ${media ? `${cell(typeOf(media.schema, ns))} (\`${type}\`)` : '-'} |`,
    );
  }
  lines.push('');
  let previous = '';
  for (const [status, r] of Object.entries(op.responses)) {
    const schema = r.content?.['application/json']?.schema;
    if (!schema || schema.$ref || fieldRows(schema, ns).length === 0) continue;
    const table = fieldTable(schema, ns);
    // 200 and 503 of /ready share a shape: print it once.
    if (table.join('\n') !== previous) lines.push(`Response ${status} fields:`, '', ...table);
    previous = table.join('\n');
  }
  const examples = API_EXAMPLES.filter(
    (e) => (OPS.has(p) || e.service === service.name) && e.operation === key,
  );
  for (const e of examples)
    lines.push(`Example: ${e.title}`, '', '```sh', `# expect: ${e.status}`, e.shell, '```', '');
  return lines;
}

interface Doc {
  info: { title: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

function renderService(service: ServiceDoc): string[] {
  const doc = service.doc as unknown as Doc;
  const lines = [
    `## ${service.name}`,
    '',
    `${doc.info.title}: ${doc.info.description ?? ''} Base URL \`$${service.envVar}\` ` +
      `(\`http://127.0.0.1:${service.port}\` under \`make dev\`); document: \`GET /openapi.json\`.`,
    '',
  ];
  for (const [p, ops] of Object.entries(doc.paths)) {
    if (OPS.has(p)) continue;
    for (const [method, op] of Object.entries(ops)) lines.push(...renderOperation(service, method, p, op));
  }
  const schemas = Object.entries(doc.components?.schemas ?? {});
  if (schemas.length) {
    lines.push(`### Schemas of ${service.name}`, '');
    for (const [name, s] of schemas) {
      lines.push(`<a id="${anchor(service.name, name)}"></a>`, '', `#### ${name}`, '');
      if (s.description) lines.push(s.description, '');
      lines.push(...fieldTable(s, service.name));
    }
  }
  return lines;
}

/** The Markdown document, formatted by prettier (so `prettier --check` agrees with `--check`). */
export async function render(services: readonly ServiceDoc[]): Promise<string> {
  const lines = [
    '# HTTP API',
    '',
    "<!-- Generated by `npx tsx scripts/gen-api-docs.ts` from the services' OpenAPI documents and",
    '     scripts/api-examples.ts; do not edit. test/integration/api-docs.test.ts runs every example. -->',
    '',
    'Three services speak HTTP/JSON. Each serves its OpenAPI 3.1 document at `GET /openapi.json` (no token',
    'needed) and the ops endpoints `/health`, `/ready` and `/metrics`. Money is a decimal string in the',
    "merchant's currency, with an integer-minor-units twin (`...Minor`) where sums are involved. Errors are",
    '`application/problem+json` ([Problem](#schema-ingest-problem)); a validation error lists every offending field',
    'in `errors`. Read endpoints send `ETag` and `Cache-Control` and answer a matching `If-None-Match` with 304.',
    '',
    'Statuses mean the same everywhere: **400** - the request does not match the OpenAPI document (every',
    'constraint the server checks on a single value is stated there: patterns, ranges, enumerations);',
    '**422** - the request matches the document but a rule no schema can state refuses it, because it depends',
    'on stored data, the clock or several values together (unknown product, currency mismatch, a date that does',
    "not start a bucket in the merchant's calendar, `from` after `to`); **404** - an unknown path or resource;",
    '**405** with `Allow` - a known path asked with a method it does not support. Schemathesis checks the',
    'three services against their documents with all its checks in `make test` (`make test-schemathesis`;',
    'settings, and the reason for each adjusted check, in `test/schemathesis/schemathesis.toml`).',
    '',
    'Authentication: `Authorization: Bearer <jwt>` with the scopes named per operation (`admin` satisfies all)',
    'and the `merchants` (or `merchant_id`) claim naming the merchants the caller may touch. `make dev` prints',
    "a development token; this mints one with its secret (elsewhere give the services' `AUTH_HS256_SECRET`,",
    'in the environment or as `--secret`):',
    "`AUTH_HS256_SECRET=$(cat .data/dev/auth-secret) npm run catcast -- token --merchant '*' --scope admin`.",
    '',
    'The examples expect these variables (the `make dev` values shown):',
    '',
    '```sh',
    ...services.map((s) => `export ${s.envVar}=http://127.0.0.1:${s.port}`),
    'export CATCAST_TOKEN=<the dev token>',
    '```',
    '',
    'Each example block starts with the status it gets on a fresh database (`# expect: 201`); the',
    'integration tests run them in order.',
    '',
    '## Contents',
    '',
    '- [Every service: /health, /ready, /metrics](#every-service)',
    ...services.map((s) => `- [${s.name}](#${s.name})`),
    '',
    '## Every service',
    '',
    "The same on ingest, aggregator and forecast-api (and the relay's health port); no token.",
    '',
  ];
  const first = services[0]!;
  for (const [p, ops] of Object.entries((first.doc as unknown as Doc).paths)) {
    if (!OPS.has(p)) continue;
    for (const [method, op] of Object.entries(ops)) lines.push(...renderOperation(first, method, p, op));
  }
  for (const s of services) lines.push(...renderService(s));
  const text = lines.join('\n').replace(/\n{3,}/g, '\n\n');
  return format(text, { ...(await resolveConfig(target)), parser: 'markdown' });
}

/** The example blocks of a rendered docs/api.md: expected status and shell text, in order. */
export function extractExamples(markdown: string): Array<{ status: number; shell: string }> {
  const out: Array<{ status: number; shell: string }> = [];
  for (const m of markdown.matchAll(/```sh\n# expect: (\d{3})\n([\s\S]*?)```/g))
    out.push({ status: Number(m[1]), shell: m[2]!.trimEnd() });
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const text = await render(await serviceDocs());
  if (process.argv.includes('--check')) {
    if (readFileSync(target, 'utf8') !== text) {
      process.stderr.write('docs/api.md is out of date: run npx tsx scripts/gen-api-docs.ts\n');
      process.exitCode = 1;
    }
  } else {
    writeFileSync(target, text);
  }
}
