import { type BoundFunctions, type queries, render, screen, within } from '@testing-library/react';
import { OptionsApp } from '../../../components/options/OptionsApp';
import { createExtensionApi } from '../../../components/shared/ExtensionApi';
import type { SettingsInput } from '../../../lib/settings/Settings';
import { FakeBackground, type FakeHandlers, settingsHandlers, statusFixture } from './FakeBackground';

/** Queries bound to one part of the page (a section's region). */
export type Scope = BoundFunctions<typeof queries>;

/** The options page's region (section) named `name`, once it is rendered. */
export async function findRegion(name: string): Promise<Scope> {
  return within(await screen.findByRole('region', { name }));
}

export interface RenderOptionsInput {
  settings?: SettingsInput;
  handlers?: FakeHandlers;
  /** What the browser answers to the host-permission prompt. */
  grantPermission?: boolean;
  pollIntervalMs?: number;
  /** The platform's policy-change events (the extension: storage.onChanged). */
  policyEvents?: { onPolicyChanged(listener: () => void): () => void };
}

export function renderOptions({
  settings = {},
  handlers = {},
  grantPermission = true,
  pollIntervalMs = 2000,
  policyEvents,
}: RenderOptionsInput = {}) {
  const store = settingsHandlers(settings);
  const secrets = { gmail: false, outlook: false };
  const background = new FakeBackground({
    'status.get': () => statusFixture(),
    // The background keeps the secret; the page only learns whether one is stored.
    'oauth.clientSecret.status': () => ({ ...secrets }),
    'oauth.clientSecret.set': ({ provider, secret }) => {
      secrets[provider] = secret.trim() !== '';
      return { configured: secrets[provider] };
    },
    ...store,
    ...handlers,
  });
  const permissionRequests: string[] = [];
  const api = createExtensionApi(
    background.send,
    {
      requestOriginPermission: async (origin) => {
        permissionRequests.push(origin);
        return grantPermission;
      },
    },
    null,
    policyEvents ?? null,
  );
  const view = render(<OptionsApp api={api} pollIntervalMs={pollIntervalMs} />);
  return { ...view, background, store, permissionRequests };
}
