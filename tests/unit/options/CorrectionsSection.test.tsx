// @vitest-environment happy-dom
import { cleanup, fireEvent, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { findRegion, renderOptions } from './renderOptions';

afterEach(cleanup);

describe('corrections from the sidebar in the options page', () => {
  it('lists match overrides and never-log entries and removes one at a time', async () => {
    const { store } = renderOptions({
      settings: {
        matchOverrides: [
          { kind: 'contact', key: 'jane@acme.example', recordId: null, label: 'not Jane Doe' },
          { kind: 'contact', key: 'info@acme.example', recordId: 'ct_b', label: 'Ben Sales (picked)' },
        ],
        neverLogAddresses: ['bob@partner.example'],
        neverLogDomains: ['bank.example'],
      },
    });
    const section = await findRegion('Corrections from the sidebar');
    const overrides = section.getByRole('list', { name: 'Match corrections' });
    expect(within(overrides).getByText(/jane@acme.example — not Jane Doe/)).toBeTruthy();
    fireEvent.click(section.getByRole('button', { name: 'Remove the correction for jane@acme.example' }));
    await section.findByText('Saved');
    expect(store.current().matchOverrides.map((o) => o.key)).toEqual(['info@acme.example']);
    fireEvent.click(section.getByRole('button', { name: 'Log mail with bank.example again' }));
    await within(section.getByRole('list', { name: 'Never logged' })).findByText(/bob@partner.example/);
    await new Promise((r) => setTimeout(r, 50));
    expect(store.current().neverLogDomains).toEqual([]);
    expect(store.current().neverLogAddresses).toEqual(['bob@partner.example']);
  });
});
