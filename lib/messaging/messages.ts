import { z } from 'zod';
import { defineMessages } from './protocol';

export const ExtensionStatus = z.object({
  version: z.string(),
  crmConfigured: z.boolean(),
  crmBaseUrl: z.string(),
});
export type ExtensionStatus = z.infer<typeof ExtensionStatus>;

/** Every runtime message the background answers. */
export const MESSAGES = defineMessages({
  'status.get': { request: z.object({}), response: ExtensionStatus },
});
export type Messages = typeof MESSAGES;
