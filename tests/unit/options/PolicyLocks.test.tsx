// @vitest-environment happy-dom
import { act, cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { NO_POLICY_VIEW, type PolicyView } from '../../../lib/policy/PolicyView';
import { findRegion, renderOptions } from './renderOptions';

afterEach(cleanup);

/** Read-only by the organisation: inside a disabled fieldset (the browser disables every control in it). */
const lockedOf = (element: HTMLElement) => element.closest('fieldset[disabled]') !== null;

const managed: PolicyView = {
  ...NO_POLICY_VIEW,
  organisationName: 'Example Ltd',
  sources: {
    privacyLevel: 'locked',
    autoLogSent: 'locked',
    autoLogReceived: 'policy',
    syncFrequencyMinutes: 'rep',
  },
  organisationEntries: { ...NO_POLICY_VIEW.organisationEntries, excludedDomains: ['partner.example'] },
  ignored: [{ policy: 'syncFrequencyMinutes', reason: 'Invalid input. Accepted: 5, 15 or 60.' }],
};

describe('the options page under an organisation policy', () => {
  it('says who manages it, shows locked fields read-only and lists what was ignored', async () => {
    renderOptions({ settings: { privacyLevel: 'metadata' }, handlers: { 'policy.get': () => managed } });
    const privacy = await findRegion('Privacy and logging');
    expect(await screen.findByText(/Managed by Example Ltd\./)).toBeTruthy();
    expect(lockedOf(privacy.getByRole('radio', { name: 'Who and when only' }))).toBe(true);
    expect(lockedOf(privacy.getByRole('checkbox', { name: 'Log emails I send' }))).toBe(true);
    // A default the organisation set is still the rep's to change.
    expect(
      lockedOf(
        privacy.getByRole('checkbox', {
          name: 'Log emails I receive from known contacts',
        }),
      ),
    ).toBe(false);
    expect(privacy.getAllByText(/^Set by your organisation \(Example Ltd\)/)).toHaveLength(2);
    expect(screen.getByText('partner.example')).toBeTruthy();
    expect(screen.getByRole('note', { name: 'Organisation policy' }).textContent).toContain(
      'syncFrequencyMinutes: Invalid input. Accepted: 5, 15 or 60.',
    );
  });

  it('without a policy, nothing is locked and no notice is shown', async () => {
    renderOptions();
    const privacy = await findRegion('Privacy and logging');
    expect(lockedOf(privacy.getByRole('radio', { name: 'Who and when only' }))).toBe(false);
    expect(screen.queryByRole('note', { name: 'Organisation policy' })).toBeNull();
  });

  it('what the CRM’s organisation settings decide is read-only, “Set by your organisation’s CRM”; its list entries are added', async () => {
    const fromCrm: PolicyView = {
      ...NO_POLICY_VIEW,
      sources: {
        filterAutomatedMail: 'organisation',
        excludedDomains: 'organisation',
        createContactPolicy: 'rep',
      },
      organisationEntries: { ...NO_POLICY_VIEW.organisationEntries, excludedDomains: ['bank.example'] },
      crmOrganisationSettings: true,
    };
    renderOptions({ handlers: { 'policy.get': () => fromCrm } });
    const rules = await findRegion('Rules');
    await waitFor(() =>
      expect(lockedOf(rules.getByRole('checkbox', { name: 'Skip automated mail' }))).toBe(true),
    );
    expect(rules.getByText('Set by your organisation’s CRM.')).toBeTruthy();
    // A list only gains the CRM's entries: the rep still adds their own.
    expect(rules.getByText('bank.example')).toBeTruthy();
    expect(lockedOf(rules.getByRole('radio', { name: /Ask me/ }))).toBe(false);
    expect(screen.getByRole('note', { name: 'Organisation policy' }).textContent).toContain(
      'Set by your organisation’s CRM',
    );
  });

  it('reads the policy and the settings again when the policy changes, without a reload', async () => {
    let view: PolicyView = NO_POLICY_VIEW;
    const listeners = new Set<() => void>();
    const { store } = renderOptions({
      handlers: { 'policy.get': () => view },
      policyEvents: {
        onPolicyChanged(listener) {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      },
    });
    const privacy = await findRegion('Privacy and logging');
    expect(lockedOf(privacy.getByRole('checkbox', { name: 'Log emails I send' }))).toBe(false);
    expect(listeners.size).toBe(1);
    expect(privacy.getByRole('checkbox', { name: 'Log emails I send' })).toHaveProperty('checked', true);
    // The organisation locks sending off: the background applies it and tells the page.
    view = { ...NO_POLICY_VIEW, organisationName: 'Example Ltd', sources: { autoLogSent: 'locked' } };
    store['settings.update']!({ patch: { autoLogSent: false } } as never);
    await act(async () => {
      for (const listener of listeners) listener();
    });
    await waitFor(() =>
      expect(lockedOf(privacy.getByRole('checkbox', { name: 'Log emails I send' }))).toBe(true),
    );
    expect(await screen.findByText(/Managed by Example Ltd\./)).toBeTruthy();
    expect(privacy.getByRole('checkbox', { name: 'Log emails I send' })).toHaveProperty('checked', false);
  });

  it.each([
    {
      crm: { type: 'salesforce' as const },
      policies: ['crmType', 'salesforceLoginUrl', 'salesforceConsumerKey'],
      locked: ['Sign in at', 'Connected app consumer key'],
      open: ['Account field with the company’s website'],
    },
    {
      crm: { type: 'hubspot' as const, hubspotAuth: 'oauth' as const },
      policies: ['crmType', 'hubspotClientId'],
      locked: ['HubSpot app client id'],
      open: ['Your HubSpot login email'],
    },
    {
      crm: { type: 'pipedrive' as const },
      policies: ['crmType', 'crmBaseUrl'],
      locked: ['Company address (optional)'],
      open: ['Pipedrive API token'],
    },
  ])('locks the $crm.type app fields the policy sets, and leaves the rep’s own', async ({
    crm,
    policies,
    locked,
    open,
  }) => {
    renderOptions({
      settings: { crm, customised: ['crm'] },
      handlers: {
        'policy.get': (): PolicyView => ({
          ...NO_POLICY_VIEW,
          organisationName: 'Example Ltd',
          sources: Object.fromEntries(policies.map((name) => [name, 'locked' as const])),
        }),
      },
    });
    const section = await findRegion('CRM connection');
    for (const label of locked)
      await waitFor(() => expect(lockedOf(section.getByLabelText(label))).toBe(true));
    for (const label of open) expect(lockedOf(section.getByLabelText(label))).toBe(false);
  });
});
