import type { z } from 'zod';
import type { CrmSession } from '../../background/CrmSession';
import type { LinkedThread } from '../../background/MessagePipeline';
import type { MessageRegistry } from '../../logging/MessageRegistry';
import type { ThreadDealChoices } from '../../logging/ThreadDealChoices';
import type { MessageSpec } from '../../messaging/protocol';
import type { Handlers } from '../../messaging/router';
import type { Settings } from '../../settings/Settings';
import type { ContactCard } from '../ThreadView';

/** What a feature's background handlers may use; the background builds one for all features. */
export interface FeatureContext {
  /** The CRM session (connector, settings, signed-in user); rejects with not_configured or auth. */
  session(): Promise<CrmSession>;
  /** Drops the cached thread views, so the next open shows what the feature just changed. */
  forgetThreadViews(): void;
  /** Drops cached CRM lookups and thread views: the CRM's records changed (a contact's addresses). */
  forgetCrmAnswers(): Promise<void>;
  /** Whether a domain is a free-mail provider's (the list stays in the background bundle). */
  isFreeMailDomain(domain: string): boolean;
  threadDeals: ThreadDealChoices;
  registry: MessageRegistry;
  settings(): Promise<Settings>;
  /** Validates and stores a shallow settings patch; cached thread views are dropped. */
  updateSettings(patch: Partial<Settings>): Promise<Settings>;
  now(): number;
}

/** What a feature sees when the background builds the view of an opened thread. */
export interface ThreadViewContext {
  session: CrmSession;
  linked: LinkedThread;
  now: Date;
  /** The view's contact cards, with each contact's open deals when the detail loaded. */
  cards: readonly ContactCard[];
  threadDeals: ThreadDealChoices;
}

/**
 * One panel feature in one place (refined-github's one-file-per-feature): the runtime
 * messages it adds (with who may send them), their background handlers, and what it adds
 * to the thread view. The panel's client is derived from the messages
 * (lib/messaging/messageClient), so a feature writes no pass-through code; it is
 * registered in panelFeatures.ts and its panel section in components/panel/panelSections.ts.
 */
export interface PanelFeature<M extends Record<string, MessageSpec>, V extends z.ZodType = z.ZodType> {
  messages: M;
  handlers(context: FeatureContext): Handlers<M>;
  /** The feature's part of the ThreadView (its key there is the feature's registry key). */
  view?: { schema: V; build(context: ThreadViewContext): z.output<V> | Promise<z.output<V>> };
}

export function definePanelFeature<
  const M extends Record<string, MessageSpec>,
  V extends z.ZodType = z.ZodNever,
>(feature: PanelFeature<M, V>): PanelFeature<M, V> {
  return feature;
}
