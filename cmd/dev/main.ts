// `make dev`: the whole product on one machine (see pkg/devstack); its knobs are CATCAST_DEV_*.
import { parseDevStackConfig, runDevStack } from '../../pkg/devstack/index.js';
import { runMain } from '../../pkg/process/index.js';

await runMain({ name: 'catcast dev', parse: parseDevStackConfig, run: runDevStack });
