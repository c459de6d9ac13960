// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { findRegion, renderOptions, type Scope } from './renderOptions';

afterEach(cleanup);

function rulesSection(): Promise<Scope> {
  return findRegion('Rules');
}

function addDomain(section: Scope, value: string) {
  fireEvent.change(section.getByLabelText('Domain to exclude'), { target: { value } });
  fireEvent.click(section.getByRole('button', { name: 'Add domain' }));
}

describe('excluded domains', () => {
  it('adds a domain lower-cased and saves the whole list', async () => {
    const { store, background } = renderOptions({ settings: { excludedDomains: ['gmail.com'] } });
    const section = await rulesSection();
    addDomain(section, '  @Partner.Example.COM ');
    const list = await section.findByRole('list', { name: 'Excluded domains' });
    await within(list).findByText('partner.example.com');
    expect(store.current().excludedDomains).toEqual(['gmail.com', 'partner.example.com']);
    expect(background.callsOf('settings.update')).toEqual([
      { patch: { excludedDomains: ['gmail.com', 'partner.example.com'] } },
    ]);
    expect((section.getByLabelText('Domain to exclude') as HTMLInputElement).value).toBe('');
    expect(section.getByText('Saved')).toBeTruthy();
  });

  it.each([
    ['not a domain', '“not a domain” is not a domain name, such as example.com.'],
    ['example', '“example” is not a domain name, such as example.com.'],
    ['https://example.com', '“https://example.com” is not a domain name, such as example.com.'],
    ['-bad-.com', '“-bad-.com” is not a domain name, such as example.com.'],
    ['', 'Type a domain, such as example.com.'],
  ])('rejects %j inline without saving', async (value, message) => {
    const { background } = renderOptions();
    const section = await rulesSection();
    addDomain(section, value);
    expect(await section.findByText(message)).toBeTruthy();
    expect(section.getByLabelText('Domain to exclude').getAttribute('aria-invalid')).toBe('true');
    expect(background.callsOf('settings.update')).toEqual([]);
  });

  it('refuses a duplicate', async () => {
    const { background } = renderOptions({ settings: { excludedDomains: ['acme.test'] } });
    const section = await rulesSection();
    addDomain(section, 'ACME.test');
    expect(await section.findByText('acme.test is already in the list.')).toBeTruthy();
    expect(background.callsOf('settings.update')).toEqual([]);
  });

  it('removes a domain', async () => {
    const { store } = renderOptions({ settings: { excludedDomains: ['a.test', 'b.test'] } });
    const section = await rulesSection();
    fireEvent.click(section.getByRole('button', { name: 'Remove a.test' }));
    await section.findByText('Saved');
    expect(store.current().excludedDomains).toEqual(['b.test']);
    expect(section.queryByText('a.test')).toBeNull();
  });
});

describe('filters and the create-contact policy', () => {
  it('saves a filter switch as soon as it changes', async () => {
    const { store } = renderOptions();
    const section = await rulesSection();
    const automated = section.getByLabelText('Skip automated mail') as HTMLInputElement;
    expect(automated.checked).toBe(true);
    fireEvent.click(automated);
    await section.findByText('Saved');
    expect(store.current().filterAutomatedMail).toBe(false);
    expect(automated.checked).toBe(false);
  });

  it('says where the organisation’s domains come from before a connection test', async () => {
    renderOptions();
    const section = await rulesSection();
    expect(section.getByText(/test the connection to see them/)).toBeTruthy();
  });

  it('switches to automatic contact creation and warns about spam contacts', async () => {
    const { store } = renderOptions();
    const section = await rulesSection();
    expect((section.getByLabelText('Ask me') as HTMLInputElement).checked).toBe(true);
    expect(section.queryByRole('note')).toBeNull();

    fireEvent.click(section.getByLabelText('Automatically'));
    const warning = await section.findByRole('note');
    expect(warning.textContent).toContain('contacts from spam and irrelevant');
    expect(store.current().createContactPolicy).toBe('automatic');
    expect((section.getByLabelText('Automatically') as HTMLInputElement).checked).toBe(true);

    fireEvent.click(section.getByLabelText('Never'));
    await screen.findByText('Saved');
    expect(store.current().createContactPolicy).toBe('off');
    expect(section.queryByRole('note')).toBeNull();
  });
});
