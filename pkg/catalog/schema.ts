import { z } from 'zod';
import { isTimeZone, timeZoneNames, WEEK_STARTS, type WeekStart } from '../buckets/index.js';
import { currencyCode, platformId, safeText } from './ids.js';

/** Body of `PUT /v1/merchants/{merchantId}`. */
export const merchantInputSchema = z.object({
  name: safeText(200),
  /** IANA zone; canonicalised (e.g. "utc" -> "UTC"). @default UTC */
  timezone: z
    .string({ error: 'must be a string' })
    .refine(isTimeZone, 'must be an IANA time zone name such as "Europe/Berlin"')
    .transform(canonicalTimeZone)
    .default('UTC')
    // The document lists the canonical names; the aliases the server also accepts are not listed.
    .meta({
      enum: timeZoneNames(),
      description:
        'IANA time zone (aliases and other spellings such as "utc" are accepted and canonicalised)',
    }),
  /** @default MONDAY */
  weekStart: z.enum(WEEK_STARTS, { error: `must be one of ${WEEK_STARTS.join(', ')}` }).default('MONDAY'),
  currency: currencyCode,
});

/** A validated merchant upsert. */
export interface MerchantInput {
  readonly name: string;
  readonly timezone: string;
  readonly weekStart: WeekStart;
  readonly currency: string;
}

/** Body of `PUT /v1/merchants/{merchantId}/categories/{categoryId}`. */
export const categoryInputSchema = z.object({
  name: safeText(200),
  parentCategoryId: platformId.nullable().optional(),
});

/** A validated category upsert; `parentCategoryId` null or absent means a root category. */
export interface CategoryInput {
  readonly name: string;
  readonly parentCategoryId?: string | null | undefined;
}

/** Body of `PUT /v1/merchants/{merchantId}/products/{productId}`. */
export const productInputSchema = z.object({
  name: safeText(200),
  categoryId: platformId,
});

/** A validated product upsert. */
export interface ProductInput {
  readonly name: string;
  readonly categoryId: string;
}

function canonicalTimeZone(timezone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: timezone }).resolvedOptions().timeZone;
}
