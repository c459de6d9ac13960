import { z } from 'zod';

/**
 * HubSpot's answers as the connector reads them (models in HubSpot/hubspot-api-nodejs,
 * codegen/crm/objects/*\/models and codegen/crm/owners/models). HubSpot returns every
 * property value as a string, and a requested property that is unset as null.
 */
export const HubSpotProperties = z.record(z.string(), z.string().nullable().optional());

export const HubSpotObject = z.object({
  id: z.string(),
  properties: HubSpotProperties,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type HubSpotObject = z.infer<typeof HubSpotObject>;

const AssociatedIds = z.object({
  results: z.array(z.object({ id: z.string(), type: z.string().optional() })),
});

export const HubSpotObjectWithAssociations = HubSpotObject.extend({
  associations: z.record(z.string(), AssociatedIds).optional(),
});

/** BatchResponseSimplePublicObject(WithErrors): 200, or 207 with per-input errors. */
export const HubSpotBatchResponse = z.object({
  status: z.string(),
  results: z.array(HubSpotObject),
  numErrors: z.number().optional(),
  errors: z
    .array(
      z.object({
        category: z.string().optional(),
        message: z.string(),
        context: z.record(z.string(), z.array(z.string())).optional(),
      }),
    )
    .optional(),
});

/** BatchResponseSimplePublicUpsertObject: `new` says whether the upsert created it. */
export const HubSpotUpsertResponse = z.object({
  status: z.string(),
  results: z.array(HubSpotObject.extend({ new: z.boolean() })),
});

export const HubSpotSearchResponse = z.object({
  total: z.number(),
  results: z.array(HubSpotObject),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});

export const HubSpotAssociateResponse = z.object({
  status: z.string(),
  results: z.array(z.unknown()),
  numErrors: z.number().optional(),
  errors: z
    .array(z.object({ message: z.string(), context: z.record(z.string(), z.array(z.string())).optional() }))
    .optional(),
});

export const HubSpotOwner = z.object({
  id: z.string(),
  email: z.string().nullable().optional(),
  firstName: z.string().nullable().optional(),
  lastName: z.string().nullable().optional(),
});
export const HubSpotOwnersPage = z.object({
  results: z.array(HubSpotOwner),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});

export const HubSpotAccountDetails = z.object({
  portalId: z.number(),
  uiDomain: z.string().default('app.hubspot.com'),
});

export const HubSpotProperty = z.object({ name: z.string(), hasUniqueValue: z.boolean().optional() });

/** The error body of every HubSpot API (ModelError / StandardError). */
export const HubSpotErrorBody = z.object({
  status: z.string().optional(),
  message: z.string(),
  correlationId: z.string().optional(),
  category: z.string().optional(),
  errorType: z.string().optional(),
  policyName: z.string().optional(),
});
