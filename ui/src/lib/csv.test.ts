import { describe, expect, it } from 'vitest';
import { csvFileName, toCsv, type CsvCell } from './csv.js';

describe('toCsv', () => {
  it.each<[CsvCell, string]>([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'],
    ['+1', "'+1"],
    ['-sale', "'-sale"],
    ['@cmd', "'@cmd"],
    [-12.5, '-12.5'],
    [0.1234, '0.1234'],
    [Number.NaN, ''],
    [null, ''],
    [undefined, ''],
  ])('cell %j -> %s', (value, expected) => {
    expect(toCsv(['h'], [[value]])).toBe(`h\r\n${expected}\r\n`);
  });

  it('writes a header and rows with CRLF', () => {
    expect(
      toCsv(
        ['rank', 'category', 'total'],
        [
          [1, 'Toys', '12.50'],
          [2, 'Games, boards', '3.00'],
        ],
      ),
    ).toBe('rank,category,total\r\n1,Toys,12.50\r\n2,"Games, boards",3.00\r\n');
  });
});

describe('csvFileName', () => {
  it.each([
    [
      ['sim-toys', 'week', '2026-11-16', 'top-categories'],
      'catcast-sim-toys-week-2026-11-16-top-categories.csv',
    ],
    [['a/b c', '', 'x'], 'catcast-a-b-c-x.csv'],
  ])('%j -> %s', (parts, name) => {
    expect(csvFileName(parts)).toBe(name);
  });
});
