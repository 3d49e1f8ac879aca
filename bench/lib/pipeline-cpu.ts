/** What the write pipeline costs per order: CPU of each process and the batches relay and aggregator made. */
import { cpus } from 'node:os';
import { round } from './context.js';
import type { Service } from './proc.js';
import { cpuSecondsBetween, cpuTicksByName, machineTicks } from './procfs.js';

type Process = 'ingest' | 'relay' | 'aggregator' | 'postgres' | 'kafka';

/** CPU between two readings, per accepted order. */
export interface PipelineCpu {
  readonly seconds: number;
  readonly machineBusyCores: number;
  /** ms per order of each process (`postgres`: the server and every backend; `kafka`: the broker's JVM). */
  readonly msPerOrder: Readonly<Record<Process, number | null>>;
  /** ingest + relay + aggregator. */
  readonly pipelineMsPerOrder: number | null;
}

/** Batches between two readings: the relay's (one transaction and one produce request each) and the aggregator's partition batches (one transaction each). */
export interface PipelineBatches {
  readonly relay: number | null;
  readonly relayOrdersPerBatch: number | null;
  readonly aggregator: number | null;
  readonly aggregatorOrdersPerBatch: number | null;
}

/** The processes of a running pipeline. */
export interface MeteredPipeline {
  readonly ingest: Service;
  readonly relay: Service;
  readonly aggregator: Service;
}

/** The sum of a histogram's `_count` series over every label set on a /metrics page, or null. */
async function histogramCount(url: string, name: string): Promise<number | null> {
  try {
    const text = await (await fetch(url)).text();
    let n: number | null = null;
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}_count`)) continue;
      n = (n ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return n;
  } catch {
    return null;
  }
}

async function batchCounts(p: MeteredPipeline) {
  const metrics = async (x: Service) => `http://127.0.0.1:${await x.port()}/metrics`;
  return {
    relay: await histogramCount(await metrics(p.relay), 'catcast_relay_batch_size'),
    aggregator: await histogramCount(await metrics(p.aggregator), 'catcast_aggregation_batch_seconds'),
  };
}

function cpuReading(p: MeteredPipeline) {
  return {
    at: performance.now(),
    machine: machineTicks(),
    seconds: {
      ingest: p.ingest.cpuSeconds(),
      relay: p.relay.cpuSeconds(),
      aggregator: p.aggregator.cpuSeconds(),
    },
    postgres: cpuTicksByName('postgres'),
    kafka: cpuTicksByName('java'),
  };
}

/**
 * Starts metering a running pipeline: `read()` takes the second reading and returns a function of
 * the orders accepted in between that gives CPU per order and the batches.
 */
export async function startPipelineMeter(p: MeteredPipeline) {
  const a = cpuReading(p);
  const batchesA = await batchCounts(p);
  return {
    async read() {
      const b = cpuReading(p);
      const batchesB = await batchCounts(p);
      return (orders: number): { cpu: PipelineCpu; batches: PipelineBatches } => {
        const per = (x: number | undefined, y: number | undefined) =>
          x === undefined || y === undefined || orders === 0 ? null : round(((y - x) * 1000) / orders, 3);
        const msPerOrder: Record<Process, number | null> = {
          ingest: per(a.seconds.ingest, b.seconds.ingest),
          relay: per(a.seconds.relay, b.seconds.relay),
          aggregator: per(a.seconds.aggregator, b.seconds.aggregator),
          postgres: per(0, cpuSecondsBetween(a.postgres, b.postgres)),
          kafka: per(0, cpuSecondsBetween(a.kafka, b.kafka)),
        };
        const own = [msPerOrder.ingest, msPerOrder.relay, msPerOrder.aggregator];
        const delta = (k: 'relay' | 'aggregator') => {
          const x = batchesA[k];
          const y = batchesB[k];
          return x === null || y === null ? null : y - x;
        };
        const perBatch = (n: number | null) => (n ? round(orders / n, 1) : null);
        return {
          cpu: {
            seconds: round((b.at - a.at) / 1000, 1)!,
            machineBusyCores: round(
              ((b.machine.busy - a.machine.busy) / (b.machine.total - a.machine.total)) * cpus().length,
              2,
            )!,
            msPerOrder,
            pipelineMsPerOrder: own.every((x) => x !== null)
              ? round(
                  own.reduce((s, x) => s + x, 0),
                  3,
                )
              : null,
          },
          batches: {
            relay: delta('relay'),
            relayOrdersPerBatch: perBatch(delta('relay')),
            aggregator: delta('aggregator'),
            aggregatorOrdersPerBatch: perBatch(delta('aggregator')),
          },
        };
      };
    },
  };
}
