import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { WeekStart } from '../buckets/index.js';

import schemaV1 from './schemas/order.created.v1.json' with { type: 'json' };

/** The JSON Schema of order.created v1, loaded from the versioned file in the repository. */
export const ORDER_CREATED_V1_SCHEMA: Record<string, unknown> = schemaV1;

/** Event type name of an accepted order. */
export const ORDER_CREATED = 'order.created';
/** Current schema version of order.created. */
export const ORDER_CREATED_VERSION = 1;

/** One item of an order as the aggregator needs it. */
export interface OrderCreatedItem {
  readonly productId: string;
  readonly categoryId: string;
  readonly quantity: number;
  /** quantity x unit price, minor units, decimal integer string. */
  readonly amountMinor: string;
}

/** Payload of order.created v1 (see schemas/order.created.v1.json). */
export interface OrderCreatedV1 {
  readonly eventId: string;
  readonly eventType: typeof ORDER_CREATED;
  readonly schemaVersion: 1;
  readonly occurredAt: string;
  readonly merchantId: string;
  readonly merchantTimezone: string;
  readonly merchantWeekStart: WeekStart;
  readonly orderId: string;
  readonly externalOrderId: string;
  readonly placedAt: string;
  readonly currency: string;
  readonly totalMinor: string;
  readonly items: readonly OrderCreatedItem[];
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
const validateV1 = ajv.compile<OrderCreatedV1>(ORDER_CREATED_V1_SCHEMA);

/** Why an event could not be accepted by a consumer; goes into the DLQ header. */
export class EventSchemaError extends Error {
  override name = 'EventSchemaError';
}

/** Parses and validates a raw message value as order.created v1; throws EventSchemaError naming the problem. */
export function decodeOrderCreated(value: Buffer | string | null): OrderCreatedV1 {
  if (value === null) throw new EventSchemaError('message has no value');
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (err) {
    throw new EventSchemaError(`message value is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed === 'object' && parsed !== null) {
    const p = parsed as Record<string, unknown>;
    if (p.eventType !== undefined && p.eventType !== ORDER_CREATED)
      throw new EventSchemaError(`unsupported event type ${JSON.stringify(p.eventType)}`);
    if (p.schemaVersion !== undefined && p.schemaVersion !== ORDER_CREATED_VERSION)
      throw new EventSchemaError(
        `unsupported schema version ${JSON.stringify(p.schemaVersion)} of order.created`,
      );
  }
  if (!validateV1(parsed)) {
    const details = (validateV1.errors ?? [])
      .slice(0, 5)
      .map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`)
      .join('; ');
    throw new EventSchemaError(`order.created v1 schema violation: ${details}`);
  }
  return parsed;
}

/** True when `payload` validates against the schema file (used by schema tests). */
export function isValidOrderCreated(payload: unknown): boolean {
  return validateV1(payload);
}
