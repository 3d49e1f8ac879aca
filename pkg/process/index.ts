/** How every catcast binary starts and stops: configuration, signals, deadline, telemetry flush, exit code. */
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
