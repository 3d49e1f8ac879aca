/** Test fixture: prints the canonical JSON of every model's forecast on fixed series (run in a child process). */
import { canonicalJson, forecastModels, MODEL_NAMES } from '../index.js';
import { fixtureSeries } from './series.js';

process.stdout.write(canonicalJson(fixtureSeries().map((s) => forecastModels(s, MODEL_NAMES))));
