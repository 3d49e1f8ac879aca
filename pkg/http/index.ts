export {
  HttpProblem,
  problemHandler,
  unavailableWhen,
  problemBody,
  problemResponse,
  validationProblem,
  fieldErrors,
  type FieldError,
  type ProblemOptions,
  type ErrorClassifier,
  type ProblemHandlerOptions,
} from './problem.js';
export { allowedMethods, notFoundHandler, type RouteEntry } from './routing.js';
export { serveUntilAborted, type ServeOptions } from './server.js';
export { opsRoutes, eventLoopProbe, type ReadinessCheck, type OpsRoutesOptions } from './health.js';
export { requestMetrics } from './metrics.js';
export { readJson } from './body.js';
export { requestHeader, rawQuery } from './request.js';
export { ValidatedQueries } from './query.js';
export {
  cachedJson,
  prepareJson,
  renderJson,
  sendRendered,
  type CachedJsonOptions,
  type PreparedJson,
  type RenderedJson,
} from './cache.js';
export {
  SECURITY_HEADERS,
  securedResponse,
  withSecurityHeaderRecord,
  withSecurityHeaders,
} from './security.js';
export {
  BEARER_SCHEME,
  ProblemSchema,
  bearer,
  integerQuery,
  openApiDocument,
  problemResponses,
  registerCommon,
  type OpenApiDocument,
  type OpenApiDocumentOptions,
  type OpenApiRegistry,
} from './openapi.js';
