import type { Processors } from '../worker.js';
import { check } from './check.js';
import { deliver } from './deliver.js';
import { digest } from './digest.js';
import { evaluate } from './evaluate.js';
import { processImport } from './import.js';
import { sweep } from './sweep.js';

/** The one processor per job name. A missing one is a type error, not a silent stall. */
export const processors: Processors = {
  import: processImport,
  check,
  evaluate,
  deliver,
  digest,
  sweep,
};
