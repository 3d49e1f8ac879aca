/**
 * Processes: how every catcast binary starts and stops (configuration, signals, deadline, telemetry
 * flush, exit code) and how catcast starts the processes it supervises or tests (spawn, wait, stop).
 */
export {
  describeFailure,
  EXIT,
  processHost,
  runMain,
  STOP_SIGNALS,
  type MainHost,
  type MainSpec,
  type StopSignal,
} from './main.js';
export {
  launch,
  listeningPort,
  catcastBinary,
  tsxScript,
  LISTENING_LINE,
  type LaunchOptions,
  type Launched,
  type WaitOptions,
  type CatcastBinaryOptions,
} from './launch.js';
