import { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';

/** The OpenAPI registry of an app (the one `@hono/zod-openapi` fills from `createRoute` configs). */
export type OpenApiRegistry = OpenAPIHono['openAPIRegistry'];

/** A generated OpenAPI 3.1 document. */
export type OpenApiDocument = ReturnType<OpenAPIHono['getOpenAPI31Document']>;

/** Name of the bearer-JWT security scheme every catcast document declares. */
export const BEARER_SCHEME = 'bearerAuth';

/** RFC 9457 problem document, as pkg/http's one error handler writes it. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'Every offending field (request validation)' }),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem', description: 'application/problem+json (RFC 9457); may carry extension members' });

/**
 * A query parameter holding an integer from `min` to `max`, written in decimal digits: validated as
 * such (400 naming the parameter otherwise) and documented as `type: integer` with those bounds, so
 * the document states exactly what the validator enforces.
 */
export function integerQuery(min: number, max: number) {
  const message = `must be an integer from ${min} to ${max}`;
  return z
    .string({ error: message })
    .regex(new RegExp(`^\\d{1,${String(max).length}}$`), message)
    .transform(Number)
    .refine((n) => n >= min && n <= max, message)
    .meta({ type: 'integer', minimum: min, maximum: max } as Record<string, unknown>);
}

/** Response entries of problem statuses: `{ 400: 'why', ... }` -> OpenAPI responses. */
export function problemResponses<S extends number>(
  statuses: Readonly<Record<S, string>>,
): Record<
  S,
  { description: string; content: { 'application/problem+json': { schema: typeof ProblemSchema } } }
> {
  const out = {} as Record<
    S,
    { description: string; content: { 'application/problem+json': { schema: typeof ProblemSchema } } }
  >;
  for (const [status, description] of Object.entries(statuses) as unknown as [S, string][])
    out[status] = { description, content: { 'application/problem+json': { schema: ProblemSchema } } };
  return out;
}

/** The OpenAPI `security` of a route that needs a bearer token with `scope`. */
export function bearer(scope: string): Array<Record<string, string[]>> {
  return [{ [BEARER_SCHEME]: [scope] }];
}

const Health = z.object({ status: z.string(), eventLoopLagMs: z.number() });
const Ready = z.object({
  status: z.enum(['ready', 'not ready']),
  shuttingDown: z.boolean(),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), error: z.string().optional() })),
});

/**
 * Registers what every catcast server shares: the bearer-JWT security scheme and the ops routes of
 * {@link opsRoutes} (/health, /ready, /metrics), which need no token.
 */
export function registerCommon(registry: OpenApiRegistry): void {
  registry.registerComponent('securitySchemes', BEARER_SCHEME, {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'A JWT with the `scope` claim (space-separated: orders:write, catalog:write, sales:read, forecasts:read, admin) ' +
      'and the `merchants` (ids, or "*") or `merchant_id` claim. The scopes listed per operation are required. ' +
      'Not enforced when the server runs with AUTH_MODE=none.',
  });
  registry.registerPath({
    method: 'get',
    path: '/health',
    tags: ['ops'],
    summary: 'Liveness: 200 unless the event loop is blocked',
    responses: {
      200: { description: 'Alive', content: { 'application/json': { schema: Health } } },
      503: {
        description: 'Event loop blocked for over 10 s',
        content: { 'application/json': { schema: Health } },
      },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/ready',
    tags: ['ops'],
    summary: 'Readiness: every dependency check, named',
    responses: {
      200: { description: 'Ready', content: { 'application/json': { schema: Ready } } },
      503: {
        description: 'A dependency failed or shutdown began',
        content: { 'application/json': { schema: Ready } },
      },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    tags: ['ops'],
    summary: 'Prometheus metrics',
    responses: {
      200: { description: 'Text exposition format', content: { 'text/plain': { schema: z.string() } } },
    },
  });
}

/** Options of {@link openApiDocument}. */
export interface OpenApiDocumentOptions {
  readonly title: string;
  readonly description: string;
  /** Registers the service's own paths and schemas. */
  readonly register: (registry: OpenApiRegistry) => void;
}

/** Builds a service's OpenAPI 3.1 document from its registered routes plus {@link registerCommon}. */
export function openApiDocument(options: OpenApiDocumentOptions): OpenApiDocument {
  const app = new OpenAPIHono();
  registerCommon(app.openAPIRegistry);
  options.register(app.openAPIRegistry);
  return app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: options.title, version: '1.0.0', description: options.description },
  });
}
