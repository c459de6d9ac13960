import { z } from 'zod';
import { ExtensionError } from '../../errors/ErrorInfo';
import { registrableDomain } from '../../linking/registrableDomain';
import { domainOfAddress, normaliseAddress } from '../../mail/normaliseAddress';
import { MatchOverride, type Settings } from '../../settings/Settings';
import { definePanelFeature, type ThreadViewContext } from './PanelFeature';

export const AmbiguousMatch = z.object({
  address: z.string(),
  name: z.string(),
  candidates: z.array(
    z.object({ id: z.string(), name: z.string(), title: z.string().nullable(), url: z.string() }),
  ),
});
export type AmbiguousMatch = z.infer<typeof AmbiguousMatch>;

function buildAmbiguous({ linked }: ThreadViewContext): AmbiguousMatch[] {
  const byAddress = new Map<string, AmbiguousMatch>();
  for (const { links } of linked.messages) {
    for (const a of links.ambiguous) {
      if (byAddress.has(a.address)) continue;
      byAddress.set(a.address, {
        address: a.address,
        name: a.name,
        candidates: a.candidates.map((c) => ({ id: c.id, name: c.name, title: c.title, url: c.url })),
      });
    }
  }
  return [...byAddress.values()];
}

function addressOf(raw: string): string {
  const address = normaliseAddress(raw);
  if (address === null) throw new ExtensionError('invalid_request', `Not an email address: ${raw}`);
  return address;
}

function domainKeyOf(address: string): string {
  const domain = registrableDomain(domainOfAddress(address));
  if (domain === null) throw new ExtensionError('invalid_request', `No registrable domain in ${address}`);
  return domain;
}

const NeverLogEntry = z.object({ scope: z.enum(['address', 'domain']), value: z.string() });

function withoutOverride(settings: Settings, kind: MatchOverride['kind'], key: string): MatchOverride[] {
  return settings.matchOverrides.filter((o) => !(o.kind === kind && o.key === key));
}

/**
 * The rep corrects matches from the panel: "Not this person" / "Not this company"
 * (an override to none), the pick among contacts sharing an address (an override to that
 * contact), and "Never log mail with this address / domain". All are settings, so the
 * panel, clicks and the sync apply them at once, each can be undone, and the options page
 * lists and removes them.
 */
export const matchCorrections = definePanelFeature({
  messages: {
    'match.correct': {
      request: z.object({
        kind: MatchOverride.shape.kind,
        /** The participant's address; a company override is keyed by its registrable domain. */
        address: z.string().min(3),
        recordId: z.string().nullable(),
        label: z.string().max(500).default(''),
      }),
      response: z.object({ override: MatchOverride }),
      senders: ['extension'],
    },
    'match.uncorrect': {
      request: z.object({ kind: MatchOverride.shape.kind, key: z.string().min(1) }),
      response: z.object({}),
      senders: ['extension'],
    },
    'neverLog.add': {
      request: z.object({ scope: NeverLogEntry.shape.scope, address: z.string().min(3) }),
      response: z.object({ entry: NeverLogEntry }),
      senders: ['extension'],
    },
    'neverLog.remove': {
      request: NeverLogEntry,
      response: z.object({}),
      senders: ['extension'],
    },
  },
  handlers: (context) => ({
    'match.correct': async ({ kind, address, recordId, label }) => {
      const normalised = addressOf(address);
      const key = kind === 'contact' ? normalised : domainKeyOf(normalised);
      const settings = await context.settings();
      const override = MatchOverride.parse({ kind, key, recordId, label });
      await context.updateSettings({ matchOverrides: [...withoutOverride(settings, kind, key), override] });
      return { override };
    },
    'match.uncorrect': async ({ kind, key }) => {
      const settings = await context.settings();
      await context.updateSettings({
        matchOverrides: withoutOverride(settings, kind, key.trim().toLowerCase()),
      });
      return {};
    },
    'neverLog.add': async ({ scope, address }) => {
      const normalised = addressOf(address);
      const settings = await context.settings();
      if (scope === 'address') {
        const list = settings.neverLogAddresses.filter((a) => a !== normalised);
        await context.updateSettings({ neverLogAddresses: [...list, normalised] });
        return { entry: { scope, value: normalised } };
      }
      const domain = domainKeyOf(normalised);
      const list = settings.neverLogDomains.filter((d) => d !== domain);
      await context.updateSettings({ neverLogDomains: [...list, domain] });
      return { entry: { scope, value: domain } };
    },
    'neverLog.remove': async ({ scope, value }) => {
      const settings = await context.settings();
      const v = value.trim().toLowerCase();
      await context.updateSettings(
        scope === 'address'
          ? { neverLogAddresses: settings.neverLogAddresses.filter((a) => a !== v) }
          : { neverLogDomains: settings.neverLogDomains.filter((d) => d !== v) },
      );
      return {};
    },
  }),
  view: { schema: z.array(AmbiguousMatch).default([]), build: buildAmbiguous },
});
