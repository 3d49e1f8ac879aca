/** Thrown when a decimal amount or currency code is not acceptable; `message` says why. */
export class MoneyError extends Error {
  override name = 'MoneyError';
}

const SUPPORTED = new Set(Intl.supportedValuesOf('currency'));

/** Every ISO 4217 code {@link isCurrency} accepts, sorted (the API documents list them). */
export const CURRENCY_CODES: readonly string[] = [...SUPPORTED].filter((c) => /^[A-Z]{3}$/.test(c)).sort();
const exponentCache = new Map<string, number>();

/** True when `code` is an ISO 4217 currency code this runtime knows. */
export function isCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && SUPPORTED.has(code);
}

/** Number of minor-unit digits of an ISO 4217 currency (EUR 2, JPY 0, KWD 3). */
export function currencyExponent(code: string): number {
  let exp = exponentCache.get(code);
  if (exp === undefined) {
    if (!isCurrency(code)) throw new MoneyError(`unknown ISO 4217 currency code ${JSON.stringify(code)}`);
    exp = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions()
      .maximumFractionDigits!;
    exponentCache.set(code, exp);
  }
  return exp;
}

const DECIMAL = /^(0|[1-9][0-9]{0,17})(?:\.([0-9]{1,18}))?$/;

/** Parses a non-negative decimal string ("19.99") into integer minor units of `currency`. */
export function parseAmount(value: string, currency: string): bigint {
  const exp = currencyExponent(currency);
  const m = DECIMAL.exec(value);
  if (!m) throw new MoneyError(`"${value}" is not a non-negative decimal amount like "19.99"`);
  const whole = m[1]!;
  const frac = m[2] ?? '';
  if (frac.length > exp) {
    throw new MoneyError(`"${value}" has ${frac.length} decimals; ${currency} allows at most ${exp}`);
  }
  return BigInt(whole) * 10n ** BigInt(exp) + BigInt(frac.padEnd(exp, '0') || '0');
}

/** Formats integer minor units as a decimal string with exactly the currency's decimals. */
export function formatAmount(minor: bigint, currency: string): string {
  const exp = currencyExponent(currency);
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  if (exp === 0) return `${negative ? '-' : ''}${abs}`;
  const scale = 10n ** BigInt(exp);
  const frac = (abs % scale).toString().padStart(exp, '0');
  return `${negative ? '-' : ''}${abs / scale}.${frac}`;
}
