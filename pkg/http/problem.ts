import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import type { Logger } from '../log/index.js';
import { isUnavailableError } from '../db/index.js';
import { recordErrorOnActiveSpan } from '../telemetry/index.js';

/** One offending field of a request. */
export interface FieldError {
  /** JSON pointer-ish path of the field, e.g. "items.3.unitPrice". */
  readonly field: string;
  readonly message: string;
}

/** Options of {@link HttpProblem}. */
export interface ProblemOptions {
  readonly title?: string;
  readonly detail?: string;
  readonly errors?: readonly FieldError[];
  readonly headers?: Readonly<Record<string, string>>;
  readonly extensions?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The one error type that maps to an RFC 9457 application/problem+json response. */
export class HttpProblem extends Error {
  override name = 'HttpProblem';
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: readonly FieldError[] | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(status: number, options: ProblemOptions = {}) {
    super(options.detail ?? options.title ?? TITLES[status] ?? `HTTP ${status}`, { cause: options.cause });
    this.status = status;
    this.title = options.title ?? TITLES[status] ?? `HTTP ${status}`;
    this.detail = options.detail;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }
}

/** Converts zod issues into field errors with dotted paths. */
export function fieldErrors(error: ZodError, prefix = ''): FieldError[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter((s) => s !== '').join('.') || '(body)',
    message: issue.message,
  }));
}

/** A 400 problem naming every invalid field of a zod parse. */
export function validationProblem(error: ZodError, prefix = '', detail?: string): HttpProblem {
  const errors = fieldErrors(error, prefix);
  return new HttpProblem(400, {
    title: 'Invalid request',
    detail: detail ?? errors.map((e) => `${e.field}: ${e.message}`).join('; '),
    errors,
  });
}

/** Renders a problem as a Response. */
export function problemResponse(c: Context, problem: HttpProblem): Response {
  const body = {
    type: 'about:blank',
    title: problem.title,
    status: problem.status,
    ...(problem.detail !== undefined ? { detail: problem.detail } : {}),
    instance: c.req.path,
    ...(problem.errors ? { errors: problem.errors } : {}),
    ...problem.extensions,
  };
  const res = c.json(body, problem.status as ContentfulStatusCode, {
    ...problem.headers,
    'content-type': 'application/problem+json',
  });
  return res;
}

function causeChain(err: unknown): string[] {
  const out: string[] = [];
  for (let e: unknown = err, i = 0; e !== undefined && e !== null && i < 8; i++) {
    out.push(e instanceof Error ? `${e.name}: ${e.message}` : JSON.stringify(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return out;
}

/** The single place where errors become HTTP responses; unexpected ones are logged once with their cause chain. */
export function problemHandler(logger: Logger, options: { retryAfterSeconds?: number } = {}): ErrorHandler {
  return function onError(err, c) {
    let problem: HttpProblem;
    if (err instanceof HttpProblem) {
      problem = err;
    } else if (err instanceof HTTPException) {
      problem = new HttpProblem(err.status, { detail: err.message || undefined, cause: err });
    } else if (isUnavailableError(err)) {
      problem = new HttpProblem(503, {
        detail: 'the database is unavailable; retry later',
        headers: { 'retry-after': String(options.retryAfterSeconds ?? 2) },
        cause: err,
      });
    } else if (err instanceof SyntaxError) {
      problem = new HttpProblem(400, { title: 'Malformed JSON', detail: err.message });
    } else {
      problem = new HttpProblem(500, { detail: 'an unexpected error occurred', cause: err });
    }
    if (problem.status >= 500) {
      recordErrorOnActiveSpan(err);
      logger.error(
        { err: { chain: causeChain(err) }, method: c.req.method, path: c.req.path, status: problem.status },
        'request failed',
      );
    } else {
      logger.debug(
        { method: c.req.method, path: c.req.path, status: problem.status, detail: problem.detail },
        'request rejected',
      );
    }
    return problemResponse(c, problem);
  };
}
