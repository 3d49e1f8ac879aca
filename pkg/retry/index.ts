export { abortableSleep, backoffDelay } from './retry.js';
