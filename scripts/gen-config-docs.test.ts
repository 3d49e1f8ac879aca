import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { declared, render } from './gen-config-docs.js';

describe('docs/configuration.md', () => {
  it('is generated from the current configuration schemas', () => {
    const committed = readFileSync(path.resolve(import.meta.dirname, '../docs/configuration.md'), 'utf8');
    expect(committed, 'run: npx tsx scripts/gen-config-docs.ts').toBe(render());
  });

  it('documents a default or "required" for every variable', () => {
    const rows = render()
      .split('\n')
      .filter((l) => l.startsWith('| `'));
    expect(rows.length).toBeGreaterThan(60);
    for (const row of rows) expect(row.split('|')[2]!.trim(), row).not.toBe('');
  });

  it('refuses an optional variable or one with a default whose TSDoc has no @default', () => {
    const schema = (decl: string) =>
      `export const e = {\n  /** Required. */\n  A_URL: z.string(),\n  /** Doc. */\n  ${decl},\n};\n`;
    expect(() => declared(schema('B_VAR: z.string().optional()'))).toThrow(/B_VAR is optional/);
    expect(() => declared(schema("B_VAR: z.string()\n    .default('x')"))).toThrow(/B_VAR is optional/);
    expect(declared(schema('B_VAR: z.string()')).map((v) => v.fallback)).toEqual(['required', 'required']);
  });
});
