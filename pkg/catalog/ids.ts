import { z } from 'zod';
import { CURRENCY_CODES } from '../money/index.js';

const PLATFORM_ID_CHARS = 'A-Za-z0-9._:-';

/** Platform-id characters, 1 to `max` of them (a prefix of generated ids is shorter than an id). */
export function platformIdPattern(max = 64): RegExp {
  return new RegExp(`^[${PLATFORM_ID_CHARS}]{1,${max}}$`);
}

/** The rule of {@link platformIdPattern} in words, for error messages. */
export function platformIdRule(max = 64): string {
  return `must match [${PLATFORM_ID_CHARS}]{1,${max}}`;
}

/** The alphabet of platform ids (merchants, categories, products): `[A-Za-z0-9._:-]{1,64}`. */
export const PLATFORM_ID_PATTERN = platformIdPattern();

/** A merchant, category or product id as the commerce platform spells it. */
export const platformId = z
  .string({ error: 'must be a string' })
  .regex(PLATFORM_ID_PATTERN, platformIdRule());

// NUL cannot be stored in a Postgres text column, lone surrogates do not survive UTF-8, and other
// control characters in display names are always a client bug: reject them instead of failing later.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_TEXT = /[\u0000-\u001f\u007f]|\p{Cs}/u;

/** True when `value` contains characters that cannot or should not be stored as text. */
export function hasUnsafeText(value: string): boolean {
  return UNSAFE_TEXT.test(value);
}

// The characters String.prototype.trim removes (ECMAScript WhiteSpace and LineTerminator), spelled
// out rather than \s so that a JSON Schema reader in another language (Schemathesis: Python, Rust)
// reads the document's pattern exactly as the server does.
const TRIMMED =
  '\\u0009-\\u000d\\u0020\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
const CONTROL = '\\u0000-\\u001f\\u007f';

/**
 * A display text: no control characters and at least one character that is not white space. It is
 * the `pattern` of every such field in the OpenAPI documents.
 */
export const SAFE_TEXT_PATTERN = new RegExp(`^[^${CONTROL}]*[^${CONTROL}${TRIMMED}][^${CONTROL}]*$`, 'u');

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * A human-readable text of at most `max` characters: {@link SAFE_TEXT_PATTERN} (the document's
 * pattern is the validator's own expression), and no unpaired surrogate, which cannot be stored as
 * UTF-8 but which no JSON Schema pattern can name portably (Rust and Python engines have no such
 * characters), so the document says it in words.
 */
export const safeText = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(SAFE_TEXT_PATTERN, 'must contain a visible character and no control characters')
    .refine((v) => !LONE_SURROGATE.test(v), 'must not contain unpaired surrogates')
    // zod-to-openapi would print the `u` flag into the pattern ("...$/u"); the source alone is the
    // JSON Schema (ECMA-262) pattern.
    .meta({
      pattern: SAFE_TEXT_PATTERN.source,
      description: `Text of at most ${max} characters with a visible character, no control characters and no unpaired surrogates`,
    });

/** An ISO 4217 currency code this runtime knows; the document lists every one. */
export const currencyCode = z
  .enum(CURRENCY_CODES as [string, ...string[]], {
    error: 'must be an ISO 4217 currency code such as "EUR"',
  })
  .meta({ description: 'ISO 4217 currency code', example: 'EUR' });
