/** Number, money, percent and time formatting for the page (display only: sums stay in minor units). */

const LOCALE = 'en-GB';
const money = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: string, compact: boolean): Intl.NumberFormat {
  const key = `${currency}|${compact}`;
  let f = money.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(LOCALE, {
        style: 'currency',
        currency,
        currencyDisplay: 'narrowSymbol',
        ...(compact ? { notation: 'compact', maximumFractionDigits: 1 } : {}),
      });
    } catch {
      // An unknown currency code still shows the amount.
      f = new Intl.NumberFormat(LOCALE, compact ? { notation: 'compact', maximumFractionDigits: 1 } : {});
    }
    money.set(key, f);
  }
  return f;
}

/** "$1,234.50" from a decimal string (or number) and an ISO currency code. */
export function formatMoney(amount: string | number, currency: string): string {
  return moneyFormat(currency, false).format(Number(amount));
}

/** "$1.2K" for chart axes. */
export function formatMoneyCompact(amount: string | number, currency: string): string {
  return moneyFormat(currency, true).format(Number(amount));
}

const percent = new Intl.NumberFormat(LOCALE, { style: 'percent', maximumFractionDigits: 1 });
const signedPercent = new Intl.NumberFormat(LOCALE, {
  style: 'percent',
  maximumFractionDigits: 0,
  signDisplay: 'exceptZero',
});

/** "23.5%" from a fraction. */
export function formatShare(fraction: number): string {
  return percent.format(fraction);
}

/** Change vs the previous period: "+12%", "−4%", "new" (nothing sold before), or "–" (nothing either time). */
export function formatChange(current: string | number, previous: string | number): string {
  const cur = Number(current);
  const prev = Number(previous);
  if (!(prev > 0)) return cur > 0 ? 'new' : '–';
  return signedPercent.format((cur - prev) / prev).replace('-', '−');
}

/** The change as a fraction, or null when there was nothing before. */
export function changeFraction(current: string | number, previous: string | number): number | null {
  const prev = Number(previous);
  return prev > 0 ? (Number(current) - prev) / prev : null;
}

/** Digits after the decimal point of a decimal string ("12.50" -> 2). */
export function decimalsOf(amount: string): number {
  const dot = amount.indexOf('.');
  return dot < 0 ? 0 : amount.length - dot - 1;
}

/** A decimal string from integer minor units: (123456n, 2) -> "1234.56". */
export function minorToDecimal(minor: bigint, decimals: number): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const frac = decimals > 0 ? `.${digits.slice(digits.length - decimals)}` : '';
  return `${negative ? '-' : ''}${whole}${frac}`;
}

/** A number with 2 significant decimals for metric tables ("0.87"), or "–" when unknown. */
export function formatMetric(value: number | null | undefined, digits = 2): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '–';
}

/** A fraction metric as a percent ("12.3%"), or "–" when unknown. */
export function formatMetricPercent(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? percent.format(value) : '–';
}

const clocks = new Map<string, Intl.DateTimeFormat>();
function clock(timezone: string, withDate: boolean): Intl.DateTimeFormat {
  const key = `${timezone}|${withDate}`;
  let f = clocks.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(LOCALE, {
      timeZone: timezone,
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      ...(withDate ? { day: 'numeric', month: 'short' } : {}),
    });
    clocks.set(key, f);
  }
  return f;
}

/**
 * The time of an instant in the merchant's timezone: "12:04:31" when it is on the same local day as
 * `now`, "15 Nov, 12:04:31" otherwise.
 */
export function formatAsOf(iso: string, timezone: string, now: Date): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return '–';
  const day = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  return clock(timezone, day.format(t) !== day.format(now)).format(t);
}

/** "just now", "4 min ago", "3 h ago", "2 days ago". */
export function formatAge(iso: string, now: Date): string {
  const seconds = Math.round((now.getTime() - new Date(iso).getTime()) / 1000);
  if (!Number.isFinite(seconds)) return '–';
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 2 * 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86400)} days ago`;
}
