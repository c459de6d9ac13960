import { describe, expect, it } from 'vitest';
import { openApiResponseChecker } from './openApiResponseCheck';

/** The checker the server tests run every answer through finds what it is there to find. */
describe('openApiResponseChecker', () => {
  const check = openApiResponseChecker();
  const json = 'application/json';
  const contact = {
    id: 'con_1',
    name: 'Alice',
    emails: ['alice@example.com'],
    title: null,
    phone: null,
    companyId: null,
    ownerName: null,
    lifecycleStage: null,
    url: 'http://127.0.0.1/contacts/con_1',
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
  };
  const detail = { ...contact, company: null, deals: [], recentActivities: [] };
  const url = 'http://127.0.0.1:1/api/v1/contacts/con_1';

  it('accepts a documented answer, with a null company', () => {
    expect(check('GET', url, 200, json, JSON.stringify(detail))).toBeNull();
    expect(
      check('GET', url, 404, json, JSON.stringify({ error: { code: 'not_found', message: 'x' } })),
    ).toBeNull();
  });

  it('flags a wrong body, an undocumented status, a wrong method and a non-JSON answer', () => {
    expect(check('GET', url, 200, json, JSON.stringify({ ...detail, company: 'acme' }))).toContain(
      'does not match',
    );
    expect(check('GET', url, 200, json, JSON.stringify({ ...detail, deals: undefined }))).toContain(
      'does not match',
    );
    expect(check('GET', url, 418, json, '{}')).toContain('not documented');
    expect(check('DELETE', url, 200, json, '{}')).toContain('not documented');
    expect(check('GET', url, 200, 'text/html', '<html>')).toContain('not JSON');
  });
});
