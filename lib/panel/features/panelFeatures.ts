import type { z } from 'zod';
import type { MessageSpec } from '../../messaging/protocol';
import type { Handlers } from '../../messaging/router';
import { alternateAddresses } from './alternateAddresses';
import { dealChoice } from './dealChoice';
import { matchCorrections } from './matchCorrections';
import type { FeatureContext, PanelFeature, ThreadViewContext } from './PanelFeature';
import { receiptActions } from './receiptActions';
import { suggestedFollowUps } from './suggestedFollowUps';
import { teamContacts } from './teamContacts';

/**
 * The panel features. Registering one here adds its messages to the background's table
 * (lib/messaging/messages), its handlers to the router and its part to the ThreadView,
 * under its key.
 */
export const PANEL_FEATURES = {
  dealChoice,
  ambiguous: matchCorrections,
  suggestedTasks: suggestedFollowUps,
  alternateAddresses,
  teamContacts,
  receiptActions,
};

type Features = typeof PANEL_FEATURES;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never;
type MessagesOf<F> = F extends PanelFeature<infer M, z.ZodType> ? M : never;

export type FeatureMessages = UnionToIntersection<MessagesOf<Features[keyof Features]>> &
  Record<never, MessageSpec>;

type ViewSchemaOf<F> = F extends { view?: { schema: infer V } } ? V : never;
export type FeatureViewShape = {
  [K in keyof Features as ViewSchemaOf<Features[K]> extends never ? never : K]: ViewSchemaOf<Features[K]>;
};

function collectMessages(): FeatureMessages {
  const all: Record<string, MessageSpec> = {};
  for (const [name, feature] of Object.entries(PANEL_FEATURES) as [
    string,
    PanelFeature<Record<string, MessageSpec>>,
  ][]) {
    for (const [type, spec] of Object.entries(feature.messages)) {
      if (Object.hasOwn(all, type)) throw new Error(`Panel feature ${name} redefines message ${type}`);
      all[type] = spec;
    }
  }
  return all as FeatureMessages;
}

export const FEATURE_MESSAGES: FeatureMessages = collectMessages();

export const FEATURE_VIEW_SHAPE = Object.fromEntries(
  Object.entries(PANEL_FEATURES).flatMap(([key, feature]) =>
    feature.view ? [[key, feature.view.schema]] : [],
  ),
) as FeatureViewShape;

export function createFeatureHandlers(context: FeatureContext): Handlers<FeatureMessages> {
  const handlers: Record<string, unknown> = {};
  for (const feature of Object.values(PANEL_FEATURES) as PanelFeature<Record<string, MessageSpec>>[]) {
    Object.assign(handlers, feature.handlers(context));
  }
  return handlers as Handlers<FeatureMessages>;
}

/** Each feature's part of the thread view, under its key. */
export async function buildFeatureViews(context: ThreadViewContext): Promise<{
  [K in keyof FeatureViewShape]: z.output<FeatureViewShape[K]>;
}> {
  const views: Record<string, unknown> = {};
  for (const [key, feature] of Object.entries(PANEL_FEATURES) as [
    string,
    PanelFeature<Record<string, MessageSpec>>,
  ][]) {
    if (feature.view) views[key] = await feature.view.build(context);
  }
  return views as { [K in keyof FeatureViewShape]: z.output<FeatureViewShape[K]> };
}
