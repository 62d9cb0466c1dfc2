import { config } from 'zod';

// Zod probes for `new Function` (its JIT parser) the first time it needs it: the page's CSP (no
// eval) refuses it and the browser logs a violation on every load. The interpreted parser is all
// the UI needs.
config({ jitless: true });
