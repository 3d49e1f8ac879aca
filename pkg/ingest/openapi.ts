import { z } from 'zod';
import {
  categoryInputSchema,
  merchantInputSchema,
  platformId,
  productInputSchema,
} from '../catalog/index.js';
import {
  bearer,
  openApiDocument,
  ProblemSchema,
  problemResponses,
  type OpenApiDocument,
  type OpenApiRegistry,
} from '../http/index.js';
import { MAX_ORDERS_PER_BATCH, orderInputSchema } from '../orders/index.js';

// Named copies of the very schemas the handlers validate with, so the document shows them as components.
const exampleOrder = {
  merchantId: 'acme',
  externalOrderId: 'o-1',
  currency: 'EUR',
  items: [{ productId: 'p1', quantity: 2, unitPrice: '19.99' }],
};
const OrderInput = orderInputSchema.meta({ id: 'OrderInput', example: exampleOrder });
const MerchantInput = merchantInputSchema.meta({ id: 'MerchantInput' });
const CategoryInput = categoryInputSchema.meta({ id: 'CategoryInput' });
const ProductInput = productInputSchema.meta({ id: 'ProductInput' });

const Stamps = { createdAt: z.string(), updatedAt: z.string() };

const Merchant = z
  .object({
    id: z.string(),
    name: z.string(),
    timezone: z.string(),
    weekStart: z.string(),
    currency: z.string(),
    ...Stamps,
  })
  .meta({ id: 'Merchant' });

const Category = z
  .object({
    merchantId: z.string(),
    id: z.string(),
    name: z.string(),
    parentCategoryId: z.string().nullable(),
    ...Stamps,
  })
  .meta({ id: 'Category' });

const Product = z
  .object({ merchantId: z.string(), id: z.string(), name: z.string(), categoryId: z.string(), ...Stamps })
  .meta({ id: 'Product' });

const OrderSummaryFields = {
  id: z.string().meta({ description: 'catcast order id (UUID)' }),
  merchantId: z.string(),
  externalOrderId: z.string(),
  placedAt: z.string(),
  currency: z.string(),
  total: z.string().meta({ description: 'Decimal string in the order currency', example: '39.98' }),
  itemCount: z.number().int(),
  createdAt: z.string(),
};

const Order = z
  .object({
    ...OrderSummaryFields,
    items: z.array(
      z.object({
        lineNo: z.number().int(),
        productId: z.string(),
        categoryId: z.string().meta({ description: "The product's category when the order was accepted" }),
        quantity: z.number().int(),
        unitPrice: z.string(),
        amount: z.string(),
      }),
    ),
  })
  .meta({ id: 'Order' });

const OrderSummary = z.object(OrderSummaryFields).meta({ id: 'OrderSummary' });

const BatchResponse = z
  .object({
    created: z.number().int(),
    replayed: z.number().int(),
    rejected: z.number().int(),
    results: z.array(
      z.object({
        index: z.number().int().meta({ description: 'Position of the order in the request' }),
        status: z
          .number()
          .int()
          .meta({ description: '201 created, 200 replayed, else the rejection status' }),
        order: OrderSummary.optional(),
        problem: ProblemSchema.optional(),
      }),
    ),
  })
  .meta({ id: 'BatchResponse' });

// Every entry must match OrderInput (else the whole batch is a 400 and nothing is written); entries
// refused by the data (unknown product, conflict, ...) are answered per entry.
const BatchRequest = z
  .object({ orders: z.array(OrderInput).min(1).max(MAX_ORDERS_PER_BATCH) })
  .meta({ id: 'BatchRequest', example: { orders: [exampleOrder] } });

const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const body = <S extends z.ZodType>(schema: S) => ({
  required: true,
  content: { 'application/json': { schema } },
});

const auth = { 401: 'Missing or invalid token', 403: 'Token lacks the scope or the merchant' } as const;
const bodyErrors = {
  400: 'Malformed JSON or an invalid field (`errors` names each)',
  413: 'Body larger than the limit',
  415: 'Content-Type is not JSON, or the body is compressed (Content-Encoding other than identity)',
} as const;
const unavailable = { 503: 'Database unavailable (Retry-After)' } as const;

function catalogPath(
  registry: OpenApiRegistry,
  path: string,
  summary: string,
  params: z.ZodObject,
  input: z.ZodType,
  output: z.ZodType,
  name: string,
  /** Problems of this resource beyond the ones every catalog upsert has. */
  extra: Readonly<Record<number, string>> = {},
): void {
  registry.registerPath({
    method: 'put',
    path,
    tags: ['catalog'],
    summary,
    security: bearer('catalog:write'),
    request: { params, body: body(input) },
    responses: {
      200: json(output, `${name} updated`),
      201: json(output, `${name} created`),
      ...problemResponses({
        ...bodyErrors,
        ...auth,
        404: 'Unknown merchant',
        ...extra,
        422: 'Unknown category (or parent), or a category cycle',
        ...unavailable,
      }),
    },
  });
}

/** Registers the ingest routes (catalog sync and orders) with their scopes and problem statuses. */
export function registerIngestRoutes(registry: OpenApiRegistry): void {
  const merchantId = platformId.meta({ description: 'Platform merchant id', example: 'acme' });
  catalogPath(
    registry,
    '/v1/merchants/{merchantId}',
    'Create or update a merchant',
    z.object({ merchantId }),
    MerchantInput,
    Merchant,
    'Merchant',
    { 409: 'A currency change of a merchant that already has orders (its totals are sums in its currency)' },
  );
  catalogPath(
    registry,
    '/v1/merchants/{merchantId}/categories/{categoryId}',
    'Create or update a category',
    z.object({ merchantId, categoryId: platformId }),
    CategoryInput,
    Category,
    'Category',
  );
  catalogPath(
    registry,
    '/v1/merchants/{merchantId}/products/{productId}',
    'Create or update a product',
    z.object({ merchantId, productId: platformId }),
    ProductInput,
    Product,
    'Product',
  );
  registry.registerPath({
    method: 'post',
    path: '/v1/orders',
    tags: ['orders'],
    summary: 'Submit one order (idempotent on merchantId + externalOrderId)',
    security: bearer('orders:write'),
    request: { body: body(OrderInput) },
    responses: {
      200: json(Order, 'The same order was already accepted (replay); Location names it'),
      201: json(Order, 'Accepted; Location: /v1/orders/{orderId}'),
      ...problemResponses({
        ...bodyErrors,
        ...auth,
        404: 'Unknown merchant',
        409: 'externalOrderId already used with different content',
        422:
          'Well-formed but refused by the data or the clock: unknown product, currency mismatch, more ' +
          'decimals than the currency has, an amount over the per-order maximum (10^13 minor units), or placedAt more than ' +
          '300 s ahead or before 1970',
        ...unavailable,
      }),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/orders/batch',
    tags: ['orders'],
    summary: `Submit up to ${MAX_ORDERS_PER_BATCH} orders; each entry is accepted or rejected on its own`,
    security: bearer('orders:write'),
    request: { body: body(BatchRequest) },
    responses: {
      200: json(
        BatchResponse,
        'Per-entry results: an entry refused by the data (404, 409, 422 as for a single order) does not ' +
          'affect the others',
      ),
      ...problemResponses({
        ...bodyErrors,
        400: 'Malformed JSON, or an entry that does not match OrderInput: the whole batch is refused and nothing is written (`errors` names each field as orders.<index>.<field>)',
        ...auth,
        ...unavailable,
      }),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/orders/{orderId}',
    tags: ['orders'],
    summary: 'Read an accepted order',
    security: bearer('orders:write'),
    request: {
      params: z.object({
        orderId: z.string().meta({
          description: 'catcast order id (a UUID; other spellings are unknown orders)',
          format: 'uuid',
        }),
      }),
    },
    responses: {
      200: json(Order, 'The order'),
      ...problemResponses({
        ...auth,
        404: "Unknown order (another merchant's order answers the same)",
        ...unavailable,
      }),
    },
  });
}

/** The ingest service's OpenAPI 3.1 document (served at GET /openapi.json). */
export function ingestOpenApi(): OpenApiDocument {
  return openApiDocument({
    title: 'catcast ingest API',
    description: 'Catalog sync and order ingestion (port 8081).',
    register: registerIngestRoutes,
  });
}
