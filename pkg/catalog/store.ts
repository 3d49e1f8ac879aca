import type { WeekStart } from '../buckets/index.js';
import { isForeignKeyViolation, withTransaction, type Pool, type Queryable } from '../db/index.js';
import type { CategoryInput, MerchantInput, ProductInput } from './schema.js';

/** One offending field of a rejected catalog write. */
export interface CatalogFieldError {
  readonly field: string;
  readonly message: string;
}

/** Why a catalog write was refused; `status` is the HTTP status it maps to (404, 422, 400). */
export class CatalogRejection extends Error {
  override name = 'CatalogRejection';
  constructor(
    readonly status: 400 | 404 | 409 | 422,
    readonly reason:
      'unknown_merchant' | 'unknown_category' | 'category_cycle' | 'currency_locked' | 'invalid',
    message: string,
    readonly errors: readonly CatalogFieldError[],
  ) {
    super(message);
  }
}

/** A merchant as stored, in its JSON shape. */
export interface Merchant {
  readonly id: string;
  readonly name: string;
  readonly timezone: string;
  readonly weekStart: WeekStart;
  readonly currency: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A category as stored, in its JSON shape. */
export interface Category {
  readonly merchantId: string;
  readonly id: string;
  readonly name: string;
  readonly parentCategoryId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A product as stored, in its JSON shape. */
export interface Product {
  readonly merchantId: string;
  readonly id: string;
  readonly name: string;
  readonly categoryId: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Outcome of an idempotent upsert: `created` is false when the row existed (changed or not). */
export interface UpsertResult<T> {
  readonly created: boolean;
  readonly entity: T;
}

/** Mirrors the platform's catalog into ingestion.*; every method is an idempotent upsert. */
export interface CatalogStore {
  upsertMerchant(id: string, input: MerchantInput): Promise<UpsertResult<Merchant>>;
  upsertCategory(merchantId: string, id: string, input: CategoryInput): Promise<UpsertResult<Category>>;
  upsertProduct(merchantId: string, id: string, input: ProductInput): Promise<UpsertResult<Product>>;
}

interface Stamped {
  created_at: Date;
  updated_at: Date;
  inserted?: boolean;
}

// A re-sync of unchanged rows must not write (no dead tuples, no updated_at churn), hence the
// IS DISTINCT FROM guard; RETURNING then yields nothing and the row is read back instead. The
// currency of a merchant with orders never changes: its aggregates are sums in that currency's
// minor units (no currency column), so a switch would re-label every past total and add the new
// currency's amounts to the old ones. Such an update writes nothing, and the read-back tells why.
const UPSERT_MERCHANT = `
INSERT INTO ingestion.merchants AS m (id, name, timezone, week_start, currency)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (id) DO UPDATE
   SET name = EXCLUDED.name, timezone = EXCLUDED.timezone, week_start = EXCLUDED.week_start,
       currency = EXCLUDED.currency, updated_at = now()
 WHERE (m.name, m.timezone, m.week_start, m.currency)
       IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.timezone, EXCLUDED.week_start, EXCLUDED.currency)
   AND (m.currency = EXCLUDED.currency
        OR NOT EXISTS (SELECT 1 FROM ingestion.orders o WHERE o.merchant_id = m.id))
RETURNING id, name, timezone, week_start, currency::text AS currency, created_at, updated_at, (xmax = 0) AS inserted`;

const SELECT_MERCHANT = `
SELECT id, name, timezone, week_start, currency::text AS currency, created_at, updated_at
  FROM ingestion.merchants WHERE id = $1`;

const UPSERT_CATEGORY = `
INSERT INTO ingestion.categories AS c (merchant_id, id, name, parent_category_id)
VALUES ($1, $2, $3, $4)
ON CONFLICT (merchant_id, id) DO UPDATE
   SET name = EXCLUDED.name, parent_category_id = EXCLUDED.parent_category_id, updated_at = now()
 WHERE (c.name, c.parent_category_id) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.parent_category_id)
RETURNING merchant_id, id, name, parent_category_id, created_at, updated_at, (xmax = 0) AS inserted`;

const SELECT_CATEGORY = `
SELECT merchant_id, id, name, parent_category_id, created_at, updated_at
  FROM ingestion.categories WHERE merchant_id = $1 AND id = $2`;

// One round trip answers: does the merchant exist, does the parent exist, and would the parent's
// ancestor chain pass through the category itself (a cycle)? Depth-bounded against corrupt data.
const CHECK_CATEGORY = `
WITH RECURSIVE up (id, parent_id, depth) AS (
  SELECT c.id, c.parent_category_id, 1 FROM ingestion.categories c WHERE c.merchant_id = $1 AND c.id = $2
  UNION ALL
  SELECT c.id, c.parent_category_id, up.depth + 1
    FROM ingestion.categories c JOIN up ON c.merchant_id = $1 AND c.id = up.parent_id
   WHERE up.depth < 10000
)
SELECT EXISTS (SELECT 1 FROM ingestion.merchants WHERE id = $1) AS merchant_exists,
       EXISTS (SELECT 1 FROM up WHERE depth = 1) AS parent_exists,
       EXISTS (SELECT 1 FROM up WHERE id = $3) AS cycle`;

const UPSERT_PRODUCT = `
INSERT INTO ingestion.products AS p (merchant_id, id, name, category_id)
VALUES ($1, $2, $3, $4)
ON CONFLICT (merchant_id, id) DO UPDATE
   SET name = EXCLUDED.name, category_id = EXCLUDED.category_id, updated_at = now()
 WHERE (p.name, p.category_id) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.category_id)
RETURNING merchant_id, id, name, category_id, created_at, updated_at, (xmax = 0) AS inserted`;

const SELECT_PRODUCT = `
SELECT merchant_id, id, name, category_id, created_at, updated_at
  FROM ingestion.products WHERE merchant_id = $1 AND id = $2`;

const TIMEZONE_KNOWN = `SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1) AS known`;

interface MerchantRow extends Stamped {
  id: string;
  name: string;
  timezone: string;
  week_start: WeekStart;
  currency: string;
}
interface CategoryRow extends Stamped {
  merchant_id: string;
  id: string;
  name: string;
  parent_category_id: string | null;
}
interface ProductRow extends Stamped {
  merchant_id: string;
  id: string;
  name: string;
  category_id: string;
}

function stamps(row: Stamped): { createdAt: string; updatedAt: string } {
  return { createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString() };
}

function toMerchant(r: MerchantRow): Merchant {
  return {
    id: r.id,
    name: r.name,
    timezone: r.timezone,
    weekStart: r.week_start,
    currency: r.currency,
    ...stamps(r),
  };
}

function toCategory(r: CategoryRow): Category {
  return {
    merchantId: r.merchant_id,
    id: r.id,
    name: r.name,
    parentCategoryId: r.parent_category_id,
    ...stamps(r),
  };
}

function toProduct(r: ProductRow): Product {
  return { merchantId: r.merchant_id, id: r.id, name: r.name, categoryId: r.category_id, ...stamps(r) };
}

function unknownMerchant(merchantId: string): CatalogRejection {
  return new CatalogRejection(404, 'unknown_merchant', `merchant ${merchantId} does not exist`, [
    {
      field: 'merchantId',
      message: `merchant ${merchantId} does not exist; PUT /v1/merchants/${merchantId} first`,
    },
  ]);
}

// Serialises category writes of one merchant, so two concurrent re-parentings cannot form a cycle
// that neither transaction could see on its own.
const LOCK_CATEGORIES = `SELECT pg_advisory_xact_lock(hashtextextended('catcast.categories:' || $1, 0))`;

/** Creates the Postgres catalog store; `db` must be a pool because category writes need a transaction. */
export function createPgCatalogStore(db: Pool): CatalogStore {
  async function upsertMerchant(id: string, input: MerchantInput): Promise<UpsertResult<Merchant>> {
    // Aggregation and reconciliation may bucket in SQL (AT TIME ZONE), so the zone must be one
    // Postgres knows too, not only the JavaScript runtime.
    const tz = await db.query<{ known: boolean }>(TIMEZONE_KNOWN, [input.timezone]);
    if (!tz.rows[0]?.known) {
      throw new CatalogRejection(400, 'invalid', `time zone ${input.timezone} is not known to the database`, [
        {
          field: 'timezone',
          message: `${JSON.stringify(input.timezone)} is not a time zone the database knows`,
        },
      ]);
    }
    const values = [id, input.name, input.timezone, input.weekStart, input.currency];
    const written = await db.query<MerchantRow>({
      name: 'catalog_upsert_merchant',
      text: UPSERT_MERCHANT,
      values,
    });
    const row = written.rows[0];
    if (row) return { created: row.inserted === true, entity: toMerchant(row) };
    const current = toMerchant(await readOne<MerchantRow>(db, SELECT_MERCHANT, [id]));
    if (current.currency !== input.currency)
      throw new CatalogRejection(
        409,
        'currency_locked',
        `merchant ${id} has orders in ${current.currency}; its currency cannot change to ${input.currency}`,
        [
          {
            field: 'currency',
            message: `${current.currency} is fixed once the merchant has orders: its totals are sums in ${current.currency}`,
          },
        ],
      );
    return { created: false, entity: current };
  }

  async function upsertCategory(
    merchantId: string,
    id: string,
    input: CategoryInput,
  ): Promise<UpsertResult<Category>> {
    const parent = input.parentCategoryId ?? null;
    if (parent === id) {
      throw new CatalogRejection(422, 'category_cycle', `category ${id} cannot be its own parent`, [
        { field: 'parentCategoryId', message: 'a category cannot be its own parent' },
      ]);
    }
    return withTransaction(db, async (tx) => {
      await tx.query(LOCK_CATEGORIES, [merchantId]);
      const check = await tx.query<{ merchant_exists: boolean; parent_exists: boolean; cycle: boolean }>(
        CHECK_CATEGORY,
        [merchantId, parent, id],
      );
      const c = check.rows[0]!;
      if (!c.merchant_exists) throw unknownMerchant(merchantId);
      if (parent !== null && !c.parent_exists) {
        throw new CatalogRejection(422, 'unknown_category', `parent category ${parent} does not exist`, [
          {
            field: 'parentCategoryId',
            message: `category ${parent} does not exist for merchant ${merchantId}`,
          },
        ]);
      }
      if (c.cycle) {
        throw new CatalogRejection(422, 'category_cycle', `parent ${parent} would create a cycle`, [
          {
            field: 'parentCategoryId',
            message: `category ${parent} is a descendant of ${id}; making it the parent would create a cycle`,
          },
        ]);
      }
      const written = await tx.query<CategoryRow>(UPSERT_CATEGORY, [merchantId, id, input.name, parent]);
      const row = written.rows[0];
      if (row) return { created: row.inserted === true, entity: toCategory(row) };
      return {
        created: false,
        entity: toCategory(await readOne<CategoryRow>(tx, SELECT_CATEGORY, [merchantId, id])),
      };
    });
  }

  async function upsertProduct(
    merchantId: string,
    id: string,
    input: ProductInput,
  ): Promise<UpsertResult<Product>> {
    let row: ProductRow | undefined;
    try {
      const written = await db.query<ProductRow>({
        name: 'catalog_upsert_product',
        text: UPSERT_PRODUCT,
        values: [merchantId, id, input.name, input.categoryId],
      });
      row = written.rows[0];
    } catch (err) {
      // The foreign keys are the check (one round trip on the happy path); only on a violation do we
      // look up which reference was missing, to name the right field.
      if (!isForeignKeyViolation(err)) throw err;
      const exists = await db.query<{ merchant: boolean }>(
        'SELECT EXISTS (SELECT 1 FROM ingestion.merchants WHERE id = $1) AS merchant',
        [merchantId],
      );
      if (!exists.rows[0]?.merchant) throw unknownMerchant(merchantId);
      throw new CatalogRejection(422, 'unknown_category', `category ${input.categoryId} does not exist`, [
        {
          field: 'categoryId',
          message: `category ${input.categoryId} does not exist for merchant ${merchantId}`,
        },
      ]);
    }
    if (row) return { created: row.inserted === true, entity: toProduct(row) };
    return {
      created: false,
      entity: toProduct(await readOne<ProductRow>(db, SELECT_PRODUCT, [merchantId, id])),
    };
  }

  return { upsertMerchant, upsertCategory, upsertProduct };
}

async function readOne<R extends object>(db: Queryable, text: string, values: unknown[]): Promise<R> {
  const result = await db.query<R & Record<string, unknown>>(text, values);
  const row = result.rows[0];
  if (!row) throw new Error(`cannot read back the row just upserted (${values.join('/')})`);
  return row;
}
