/** CSV export (RFC 4180) of the tables the merchant sees. */

/** A cell: text is quoted when needed, numbers are written as they are, null/undefined is empty. */
export type CsvCell = string | number | null | undefined;

// A spreadsheet runs a cell that starts with one of these as a formula ("CSV injection"); category
// names come from the platform's catalog, so text cells that start with one are prefixed with '.
const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Serialises a header and rows as CSV with CRLF line ends. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** A safe file name from parts: "catcast-sim-toys-week-2026-11-16-top-categories.csv". */
export function csvFileName(parts: readonly string[]): string {
  const base = ['catcast', ...parts]
    .map((p) => p.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, ''))
    .filter((p) => p.length > 0)
    .join('-');
  return `${base}.csv`;
}
