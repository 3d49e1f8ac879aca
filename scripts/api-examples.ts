/**
 * The curl examples of docs/api.md, in the order a newcomer would run them (and the order
 * test/integration/api-docs.test.ts runs them, against real services on an empty database).
 * `$CATCAST_INGEST`, `$CATCAST_AGGREGATOR`, `$CATCAST_FORECAST` are the base URLs and
 * `$CATCAST_TOKEN` a token with the admin scope (the one `make dev` prints).
 */

/** One documented request: which operation it shows, the shell text, the status it must get. */
export interface ApiExample {
  /** `ingest`, `aggregator` or `forecast-api`. */
  readonly service: string;
  /** The operation, as `METHOD /path/{param}` of the service's OpenAPI document. */
  readonly operation: string;
  readonly title: string;
  /** Bash; the last `curl` decides the status. */
  readonly shell: string;
  readonly status: number;
}

const AUTH = '-H "Authorization: Bearer $CATCAST_TOKEN"';
const JSON_BODY = "-H 'Content-Type: application/json'";

/** Every example, in execution order. */
export const API_EXAMPLES: readonly ApiExample[] = [
  {
    service: 'ingest',
    operation: 'GET /health',
    title: 'Liveness (no token)',
    shell: 'curl -sS "$CATCAST_INGEST/health"',
    status: 200,
  },
  {
    service: 'ingest',
    operation: 'PUT /v1/merchants/{merchantId}',
    title: 'Create a merchant (200 when it already exists)',
    shell: `curl -sS -X PUT "$CATCAST_INGEST/v1/merchants/acme" ${AUTH} ${JSON_BODY} \\
  -d '{"name":"Acme","timezone":"Europe/Berlin","weekStart":"MONDAY","currency":"EUR"}'`,
    status: 201,
  },
  {
    service: 'ingest',
    operation: 'PUT /v1/merchants/{merchantId}',
    title: 'An unknown time zone is a 400 naming the field',
    shell: `curl -sS -X PUT "$CATCAST_INGEST/v1/merchants/acme" ${AUTH} ${JSON_BODY} \\
  -d '{"name":"Acme","timezone":"Mars/Olympus","currency":"EUR"}'`,
    status: 400,
  },
  {
    service: 'ingest',
    operation: 'PUT /v1/merchants/{merchantId}/categories/{categoryId}',
    title: 'Create a category',
    shell: `curl -sS -X PUT "$CATCAST_INGEST/v1/merchants/acme/categories/shoes" ${AUTH} ${JSON_BODY} \\
  -d '{"name":"Shoes","parentCategoryId":null}'`,
    status: 201,
  },
  {
    service: 'ingest',
    operation: 'PUT /v1/merchants/{merchantId}/products/{productId}',
    title: 'Create a product in that category',
    shell: `curl -sS -X PUT "$CATCAST_INGEST/v1/merchants/acme/products/sneaker-42" ${AUTH} ${JSON_BODY} \\
  -d '{"name":"Sneaker 42","categoryId":"shoes"}'`,
    status: 201,
  },
  {
    service: 'ingest',
    operation: 'PUT /v1/merchants/{merchantId}/products/{productId}',
    title: 'A product of an unknown category is a 422',
    shell: `curl -sS -X PUT "$CATCAST_INGEST/v1/merchants/acme/products/hat-1" ${AUTH} ${JSON_BODY} \\
  -d '{"name":"Hat","categoryId":"hats"}'`,
    status: 422,
  },
  {
    service: 'ingest',
    operation: 'POST /v1/orders',
    title: 'Submit an order',
    shell: `curl -sS -X POST "$CATCAST_INGEST/v1/orders" ${AUTH} ${JSON_BODY} \\
  -d '{"merchantId":"acme","externalOrderId":"A-1001","placedAt":"2026-11-17T09:30:00Z","currency":"EUR",
       "items":[{"productId":"sneaker-42","quantity":2,"unitPrice":"59.90"}]}'`,
    status: 201,
  },
  {
    service: 'ingest',
    operation: 'POST /v1/orders',
    title: 'Sending the same order again is an idempotent replay',
    shell: `curl -sS -X POST "$CATCAST_INGEST/v1/orders" ${AUTH} ${JSON_BODY} \\
  -d '{"merchantId":"acme","externalOrderId":"A-1001","placedAt":"2026-11-17T09:30:00Z","currency":"EUR",
       "items":[{"productId":"sneaker-42","quantity":2,"unitPrice":"59.90"}]}'`,
    status: 200,
  },
  {
    service: 'ingest',
    operation: 'POST /v1/orders',
    title: 'Same externalOrderId, different content: 409',
    shell: `curl -sS -X POST "$CATCAST_INGEST/v1/orders" ${AUTH} ${JSON_BODY} \\
  -d '{"merchantId":"acme","externalOrderId":"A-1001","placedAt":"2026-11-17T09:30:00Z","currency":"EUR",
       "items":[{"productId":"sneaker-42","quantity":3,"unitPrice":"59.90"}]}'`,
    status: 409,
  },
  {
    service: 'ingest',
    operation: 'POST /v1/orders',
    title: 'A malformed amount is a 400 naming the field',
    shell: `curl -sS -X POST "$CATCAST_INGEST/v1/orders" ${AUTH} ${JSON_BODY} \\
  -d '{"merchantId":"acme","externalOrderId":"A-1002","currency":"EUR",
       "items":[{"productId":"sneaker-42","quantity":1,"unitPrice":"59,90"}]}'`,
    status: 400,
  },
  {
    service: 'ingest',
    operation: 'POST /v1/orders',
    title: 'Without a token: 401',
    shell: `curl -sS -X POST "$CATCAST_INGEST/v1/orders" ${JSON_BODY} -d '{}'`,
    status: 401,
  },
  {
    service: 'ingest',
    operation: 'POST /v1/orders/batch',
    title: 'Submit a batch: each entry is accepted or rejected on its own',
    shell: `curl -sS -X POST "$CATCAST_INGEST/v1/orders/batch" ${AUTH} ${JSON_BODY} \\
  -d '{"orders":[
        {"merchantId":"acme","externalOrderId":"A-1003","currency":"EUR",
         "items":[{"productId":"sneaker-42","quantity":1,"unitPrice":"59.90"}]},
        {"merchantId":"acme","externalOrderId":"A-1004","currency":"EUR",
         "items":[{"productId":"no-such-product","quantity":1,"unitPrice":"5.00"}]}]}'`,
    status: 200,
  },
  {
    service: 'ingest',
    operation: 'GET /v1/orders/{orderId}',
    title: 'Read an order back (its URL is the Location header of the POST)',
    shell: `LOCATION=$(curl -sS -o /dev/null -D - -X POST "$CATCAST_INGEST/v1/orders" ${AUTH} ${JSON_BODY} \\
  -d '{"merchantId":"acme","externalOrderId":"A-1001","placedAt":"2026-11-17T09:30:00Z","currency":"EUR",
       "items":[{"productId":"sneaker-42","quantity":2,"unitPrice":"59.90"}]}' \\
  | tr -d '\\r' | sed -n 's/^location: //Ip')
curl -sS "$CATCAST_INGEST$LOCATION" ${AUTH}`,
    status: 200,
  },
  {
    service: 'aggregator',
    operation: 'GET /api/top-categories',
    title: 'Top categories of the week starting Monday 16 Nov 2026',
    shell: `curl -sS "$CATCAST_AGGREGATOR/api/top-categories?merchantId=acme&bucketType=WEEK&bucketStart=2026-11-16&limit=10" ${AUTH}`,
    status: 200,
  },
  {
    service: 'aggregator',
    operation: 'GET /api/top-categories',
    title: 'A date that does not start a bucket: 422 naming the nearest valid start',
    shell: `curl -sS "$CATCAST_AGGREGATOR/api/top-categories?merchantId=acme&bucketType=WEEK&bucketStart=2026-11-18" ${AUTH}`,
    status: 422,
  },
  {
    service: 'aggregator',
    operation: 'GET /api/top-categories',
    title: 'Unknown merchant: 404',
    shell: `curl -sS "$CATCAST_AGGREGATOR/api/top-categories?merchantId=nobody&bucketType=MONTH" ${AUTH}`,
    status: 404,
  },
  {
    service: 'aggregator',
    operation: 'GET /api/top-categories',
    title: 'Without a token: 401',
    shell: `curl -sS "$CATCAST_AGGREGATOR/api/top-categories?merchantId=acme&bucketType=MONTH"`,
    status: 401,
  },
  {
    service: 'aggregator',
    operation: 'GET /api/category-sales',
    title: 'Monthly sales per category, January to November 2026',
    shell: `curl -sS "$CATCAST_AGGREGATOR/api/category-sales?merchantId=acme&bucketType=MONTH&from=2026-01-01&to=2026-11-01" ${AUTH}`,
    status: 200,
  },
  {
    service: 'aggregator',
    operation: 'GET /api/merchants',
    title: 'The merchants the token may read',
    shell: `curl -sS "$CATCAST_AGGREGATOR/api/merchants" ${AUTH}`,
    status: 200,
  },
  {
    service: 'aggregator',
    operation: 'GET /api/merchants/{merchantId}',
    title: 'One merchant, its current buckets and freshness',
    shell: `curl -sS "$CATCAST_AGGREGATOR/api/merchants/acme" ${AUTH}`,
    status: 200,
  },
  {
    service: 'forecast-api',
    operation: 'GET /forecast/top-categories',
    title: "Next month's top categories (the forecast job's result, or computed on demand)",
    shell: `curl -sS "$CATCAST_FORECAST/forecast/top-categories?merchant_id=acme&bucket_type=MONTH&model=auto&limit=5" ${AUTH}`,
    status: 200,
  },
  {
    service: 'forecast-api',
    operation: 'GET /forecast/top-categories',
    title: 'DAY is not a forecast bucket: 400',
    shell: `curl -sS "$CATCAST_FORECAST/forecast/top-categories?merchant_id=acme&bucket_type=DAY" ${AUTH}`,
    status: 400,
  },
  {
    service: 'forecast-api',
    operation: 'GET /forecast/compare-models',
    title: 'Every model side by side for one category',
    shell: `curl -sS "$CATCAST_FORECAST/forecast/compare-models?merchant_id=acme&bucket_type=MONTH&category_id=shoes" ${AUTH}`,
    status: 200,
  },
  {
    service: 'forecast-api',
    operation: 'GET /forecast/compare-models',
    title: 'Unknown merchant: 404',
    shell: `curl -sS "$CATCAST_FORECAST/forecast/compare-models?merchant_id=nobody&bucket_type=WEEK" ${AUTH}`,
    status: 404,
  },
  {
    service: 'forecast-api',
    operation: 'GET /forecast/category-path',
    title: 'The next 12 months of one category, 80/95% intervals per step',
    shell: `curl -sS "$CATCAST_FORECAST/forecast/category-path?merchant_id=acme&bucket_type=MONTH&category_id=shoes&horizon=12" ${AUTH}`,
    status: 200,
  },
  {
    service: 'forecast-api',
    operation: 'GET /forecast/category-path',
    title: 'A horizon beyond two years of weeks: 400',
    shell: `curl -sS "$CATCAST_FORECAST/forecast/category-path?merchant_id=acme&bucket_type=WEEK&category_id=shoes&horizon=105" ${AUTH}`,
    status: 400,
  },
  {
    service: 'forecast-api',
    operation: 'GET /forecast/nowcast',
    title: 'This week so far, and where each category is heading (so far + the forecast still to come)',
    shell: `curl -sS "$CATCAST_FORECAST/forecast/nowcast?merchant_id=acme&bucket_type=WEEK&limit=5" ${AUTH}`,
    status: 200,
  },
  {
    service: 'forecast-api',
    operation: 'GET /forecast/models',
    title: 'The model catalog',
    shell: `curl -sS "$CATCAST_FORECAST/forecast/models" ${AUTH}`,
    status: 200,
  },
];
