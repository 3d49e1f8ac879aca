export { parseEmbeddedPipelineConfig, runEmbeddedPipeline, type EmbeddedPipelineConfig } from './pipeline.js';
export { runDevStack, type DevStackOptions } from './dev.js';
export { parseDevStackConfig } from './config.js';
export { Supervisor, type ChildSpec, type SupervisorReport } from './supervisor.js';
export { SupervisedPostgres, type SupervisedPostgresOptions } from './postgres.js';
