import { describe, expect, it } from 'vitest';
import { CsvInputError, parseSeriesCsv } from './csv.js';

const H = 'merchant,category,bucket_start,total_sales';

describe('evaluation CSV', () => {
  it('zero-fills each series up to its merchant’s last bucket, in order of appearance', () => {
    const csv = [
      H,
      'm1,shoes,2024-01-01,10.50',
      'm1,shoes,2024-01-15,-2',
      'm1,"hats, caps",2024-01-22,3',
      'm2,x,2024-01-02,1',
      '',
    ].join('\n');
    expect(parseSeriesCsv(csv, 'WEEK')).toEqual([
      { merchant: 'm1', category: 'shoes', start: '2024-01-01', values: [10.5, 0, -2, 0] },
      { merchant: 'm1', category: 'hats, caps', start: '2024-01-22', values: [3] },
      { merchant: 'm2', category: 'x', start: '2024-01-02', values: [1] },
    ]);
  });

  it('reads monthly buckets across a year end, with CRLF', () => {
    const csv = [H, 'm,c,2023-11-01,1', 'm,c,2024-02-01,4'].join('\r\n');
    expect(parseSeriesCsv(csv, 'MONTH')[0]?.values).toEqual([1, 0, 0, 4]);
  });

  it.each([
    { csv: 'a,b,c,d\n', line: 1, text: /header/ },
    { csv: `${H}\nm,c,2024-01-01`, line: 2, text: /expected 4 fields/ },
    {
      csv: `${H}\nm,c,2024-13-01,1`,
      line: 2,
      text: /field bucket_start: "2024-13-01" is not a valid calendar date/,
    },
    { csv: `${H}\nm,c,01/02/2024,1`, line: 2, text: /field bucket_start/ },
    { csv: `${H}\nm,c,2024-01-01,12abc`, line: 2, text: /field total_sales: "12abc" is not a decimal/ },
    { csv: `${H}\nm,c,2024-01-01,1\nm,c,2024-01-01,2`, line: 3, text: /duplicate bucket .* line 2/ },
    { csv: `${H}\nm,c,2024-01-01,1\nm,d,2024-01-03,2`, line: 3, text: /same weekday/ },
    { csv: `${H}\n,c,2024-01-01,1`, line: 2, text: /field merchant: is empty/ },
  ])('rejects line $line: $text', ({ csv, line, text }) => {
    const bucket = 'WEEK';
    let err: unknown;
    try {
      parseSeriesCsv(csv, bucket);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CsvInputError);
    expect((err as CsvInputError).line).toBe(line);
    expect((err as Error).message).toMatch(text);
  });

  it('rejects a monthly bucket that is not the first of the month', () => {
    expect(() => parseSeriesCsv(`${H}\nm,c,2024-01-02,1`, 'MONTH')).toThrow(
      /line 2, field bucket_start: .*first day of a month/,
    );
  });
});
