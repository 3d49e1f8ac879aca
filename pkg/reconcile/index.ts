export {
  reconcile,
  ReconcileOptionsError,
  type ReconcileOptions,
  type ReconcileResult,
  type DriftRow,
} from './reconcile.js';
