import { App, Testing } from 'cdk8s';
import { CatcastChart } from './catcast-chart.js';
import type { CatcastValues } from './values.js';

/** A synthesized Kubernetes object. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/** Synthesizes one release's objects in memory (no files written). */
export function synthObjects(
  values: CatcastValues,
  release = 'catcast',
  configChecksum?: string,
  namespace = 'default',
): KubeObject[] {
  const chart = new CatcastChart(Testing.app(), 'catcast', { values, release, configChecksum, namespace });
  return Testing.synth(chart) as KubeObject[];
}

/** Synthesizes one release into `outdir` as a single YAML file (catcast.k8s.yaml). */
export function synthToDir(values: CatcastValues, outdir: string, release = 'catcast'): void {
  const app = new App({ outdir });
  new CatcastChart(app, 'catcast', { values, release });
  app.synth();
}
