import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { registerTelemetry } from './shutdown.js';

/**
 * Installs an in-memory tracer provider (W3C propagation, async context) as if the preload had
 * started the SDK, for unit tests; returns the exporter holding the finished spans and an undo.
 */
export function installTestTracing(): { exporter: InMemorySpanExporter; uninstall(): void } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  registerTelemetry({ shutdown: () => provider.shutdown() });
  return {
    exporter,
    uninstall() {
      registerTelemetry(undefined);
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
