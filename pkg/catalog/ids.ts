import { z } from 'zod';

/** The alphabet of platform ids (merchants, categories, products): `[A-Za-z0-9._:-]{1,64}`. */
export const PLATFORM_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

/** A merchant, category or product id as the commerce platform spells it. */
export const platformId = z
  .string({ error: 'must be a string' })
  .regex(PLATFORM_ID_PATTERN, 'must match [A-Za-z0-9._:-]{1,64}');

// NUL cannot be stored in a Postgres text column, lone surrogates do not survive UTF-8, and other
// control characters in display names are always a client bug: reject them instead of failing later.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_TEXT = /[\u0000-\u001f\u007f]|\p{Cs}/u;

/** True when `value` contains characters that cannot or should not be stored as text. */
export function hasUnsafeText(value: string): boolean {
  return UNSAFE_TEXT.test(value);
}

/** A human-readable text of at most `max` characters, without control characters. */
export const safeText = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !hasUnsafeText(v), 'must not contain control characters or unpaired surrogates')
    .refine((v) => v.trim().length > 0, 'must not be blank');
