import { z } from 'zod';
import { checkCrmBaseUrl } from '../../settings/crmBaseUrl';

/**
 * Fields several vendors' connection branches share, so each branch says what it stores
 * and the rules for a URL or a token are written once.
 */

/** A CRM address: blank, or https (plain http on this computer only); lib/settings/crmBaseUrl.ts. */
export const crmBaseUrlField = z
  .string()
  .trim()
  .max(2_048)
  .superRefine((value, ctx) => {
    if (value === '') return;
    const check = checkCrmBaseUrl(value);
    if (!check.ok) ctx.addIssue({ code: 'custom', message: check.message });
  })
  .default('');

/** An API token (or an access token held in the settings). */
export const crmTokenField = z.string().trim().max(4096).default('');
