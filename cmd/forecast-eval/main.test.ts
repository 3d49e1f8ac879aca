import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', main, ...args],
      { maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

async function csvFile(lines: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'forecast-eval-'));
  const path = join(dir, 'series.csv');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

describe('forecast-eval CLI', () => {
  it('prints one JSON object with the metrics of each model', async () => {
    const lines = ['merchant,category,bucket_start,total_sales'];
    for (const cat of ['a', 'b']) {
      for (let t = 0; t < 40; t++) {
        const d = new Date(Date.UTC(2022, t, 1)).toISOString().slice(0, 10);
        const v = 100 + 10 * Math.sin((2 * Math.PI * t) / 12) + (cat === 'a' ? t : 0) + ((t * 37) % 7);
        lines.push(`m1,${cat},${d},${v.toFixed(2)}`);
      }
    }
    const { code, stdout, stderr } = await run([
      '--input',
      await csvFile(lines),
      '--bucket-type',
      'MONTH',
      '--origins',
      '6',
      '--models',
      'auto,seasonal_naive,ets',
    ]);
    expect(stderr).toMatch(/2 series/);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(stdout) as {
      bucket_type: string;
      origins: number;
      series: number;
      models: Record<string, Record<string, unknown>>;
    };
    expect(out).toMatchObject({ bucket_type: 'MONTH', origins: 6, series: 2 });
    expect(Object.keys(out.models)).toEqual(['auto', 'seasonal_naive', 'ets']);
    for (const m of Object.values(out.models)) {
      for (const key of ['wape', 'mase_median', 'mase_weighted', 'smape', 'coverage80', 'seconds'])
        expect(typeof m[key]).toBe('number');
    }
    expect(out.models.seasonal_naive?.ratio_to_seasonal_naive).toEqual({ wape: 1, mase_median: 1 });
  }, 60_000);

  it.each([
    { args: ['--bucket-type', 'WEEK'], text: /--input is required/ },
    { args: ['--input', 'x.csv', '--bucket-type', 'HOUR'], text: /--bucket-type must be/ },
    {
      args: ['--input', 'x.csv', '--bucket-type', 'WEEK', '--origins', '0'],
      text: /--origins must be a positive integer/,
    },
    {
      args: ['--input', 'x.csv', '--bucket-type', 'WEEK', '--models', 'auto,magic'],
      text: /unknown model "magic"/,
    },
    { args: ['--input', '/nonexistent/x.csv', '--bucket-type', 'WEEK'], text: /cannot read --input/ },
  ])(
    'exits 2 on bad arguments: $text',
    async ({ args, text }) => {
      const { code, stdout, stderr } = await run(args);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(text);
    },
    60_000,
  );

  it('exits 2 naming the line and field of bad CSV input', async () => {
    const path = await csvFile([
      'merchant,category,bucket_start,total_sales',
      'm,c,2024-01-01,5',
      'm,c,2024-01-08,five',
    ]);
    const { code, stdout, stderr } = await run(['--input', path, '--bucket-type', 'WEEK']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/line 3, field total_sales: "five" is not a decimal number/);
  }, 60_000);
});
