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
