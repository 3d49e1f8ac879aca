export { DlqPublisher, toDlqMessage, type Rejected } from './envelope.js';
