/** SQLSTATE of a pg error ('' for anything else). */
export function sqlState(err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : '';
}

/**
 * Data exceptions (22) and constraint violations (23) are caused by an order's content; validation
 * should make them impossible, so reaching one is a validation gap to answer as 422, not a 500.
 */
export function isDataError(err: unknown): boolean {
  const code = sqlState(err);
  return code.startsWith('22') || code.startsWith('23');
}
