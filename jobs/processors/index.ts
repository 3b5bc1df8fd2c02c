import type { Processors } from '../worker.js';

/** The one processor per job name. A missing one is a type error, not a silent stall. */
export const processors: Processors = {
  import: async () => { throw new Error('import processor not implemented yet'); },
  check: async () => { throw new Error('check processor not implemented yet'); },
  evaluate: async () => { throw new Error('evaluate processor not implemented yet'); },
  deliver: async () => { throw new Error('deliver processor not implemented yet'); },
  digest: async () => { throw new Error('digest processor not implemented yet'); },
  sweep: async () => {},
};
