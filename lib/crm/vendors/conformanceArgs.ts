import { z } from 'zod';

/** `npm run conformance` options every vendor takes (scripts/conformance.ts). */
export const CommonConformanceArgs = {
  token: z.string().min(1),
  'colleague-token': z.string().min(1).optional(),
  'company-domain': z.string().min(1).optional(),
};

/** The fetch a conformance target uses unless a check wraps it. */
export const defaultConformanceFetch: typeof fetch = (input, init) => globalThis.fetch(input, init);
