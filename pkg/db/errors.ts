const UNAVAILABLE_CODES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300', // too_many_connections
  '25006', // read_only_sql_transaction (replica promoted/primary gone)
  '57014', // query_canceled by statement_timeout: overloaded, retry later
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);

function codeOf(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = err.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** True when the error means "the database is not reachable right now" (answer 503, retry later). */
export function isUnavailableError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = codeOf(e);
    if (code && (UNAVAILABLE_CODES.has(code) || NETWORK_CODES.has(code))) return true;
    if (e instanceof Error) {
      if (
        /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
          e.message,
        )
      )
        return true;
      e = e.cause;
    } else break;
  }
  return false;
}

/** True for a unique_violation (23505). */
export function isUniqueViolation(err: unknown): boolean {
  return codeOf(err) === '23505';
}

/** True for a foreign_key_violation (23503). */
export function isForeignKeyViolation(err: unknown): boolean {
  return codeOf(err) === '23503';
}

/**
 * A data exception (SQLSTATE class 22, e.g. bigint overflow) or an integrity constraint violation
 * (23): caused by what was written, so retrying the same statement fails again — split it or refuse
 * the input. Never true for an unavailable database.
 */
export function isDataError(err: unknown): boolean {
  if (isUnavailableError(err)) return false;
  const code = codeOf(err);
  return code !== undefined && (code.startsWith('22') || code.startsWith('23'));
}
