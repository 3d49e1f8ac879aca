import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import type { Logger } from '../log/index.js';
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

/**
 * The RFC 9457 body of a problem; `instance` (the request path) is left out where the problem is one
 * entry of a larger answer, such as a refused order inside a batch result.
 */
export function problemBody(problem: HttpProblem, instance?: string): Record<string, unknown> {
  return {
    type: 'about:blank',
    title: problem.title,
    status: problem.status,
    ...(problem.detail !== undefined ? { detail: problem.detail } : {}),
    ...(instance !== undefined ? { instance } : {}),
    ...(problem.errors ? { errors: problem.errors } : {}),
    ...problem.extensions,
  };
}

/** Renders a problem as a Response. */
export function problemResponse(c: Context, problem: HttpProblem): Response {
  const body = problemBody(problem, c.req.path);
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

/**
 * Recognises an error that is not an {@link HttpProblem} (e.g. "the database is unreachable") and
 * says which problem it is, or returns undefined to leave it to the next classifier.
 */
export type ErrorClassifier = (err: unknown) => HttpProblem | undefined;

/** Options of {@link problemHandler}. */
export interface ProblemHandlerOptions {
  /** Asked in order for errors that are neither HttpProblem nor HTTPException; the first answer wins. @default none */
  readonly classifiers?: readonly ErrorClassifier[];
}

/**
 * A classifier answering 503 with Retry-After when `test(err)` says a dependency is down, e.g.
 * `unavailableWhen('the database', isUnavailableError)` with pkg/db's test: pkg/http knows no
 * dependency itself, each service passes the ones it has.
 */
export function unavailableWhen(
  dependency: string,
  test: (err: unknown) => boolean,
  retryAfterSeconds = 2,
): ErrorClassifier {
  return function classifyUnavailable(err) {
    if (!test(err)) return undefined;
    return new HttpProblem(503, {
      detail: `${dependency} is unavailable; retry later`,
      headers: { 'retry-after': String(retryAfterSeconds) },
      cause: err,
    });
  };
}

function classify(err: unknown, classifiers: readonly ErrorClassifier[]): HttpProblem {
  if (err instanceof HttpProblem) return err;
  if (err instanceof HTTPException)
    return new HttpProblem(err.status, { detail: err.message || undefined, cause: err });
  for (const classifier of classifiers) {
    const problem = classifier(err);
    if (problem) return problem;
  }
  if (err instanceof SyntaxError)
    return new HttpProblem(400, { title: 'Malformed JSON', detail: err.message });
  return new HttpProblem(500, { detail: 'an unexpected error occurred', cause: err });
}

/** The single place where errors become HTTP responses; unexpected ones are logged once with their cause chain. */
export function problemHandler(logger: Logger, options: ProblemHandlerOptions = {}): ErrorHandler {
  const { classifiers = [] } = options;
  return function onError(err, c) {
    const problem = classify(err, classifiers);
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
