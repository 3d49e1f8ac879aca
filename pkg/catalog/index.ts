export {
  PLATFORM_ID_PATTERN,
  platformIdPattern,
  platformIdRule,
  SAFE_TEXT_PATTERN,
  currencyCode,
  platformId,
  safeText,
  hasUnsafeText,
} from './ids.js';
export {
  merchantInputSchema,
  categoryInputSchema,
  productInputSchema,
  type MerchantInput,
  type CategoryInput,
  type ProductInput,
} from './schema.js';
export {
  createPgCatalogStore,
  CatalogRejection,
  type CatalogStore,
  type CatalogFieldError,
  type Merchant,
  type Category,
  type Product,
  type UpsertResult,
} from './store.js';
