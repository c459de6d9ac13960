import { describe, expect, it } from 'vitest';
import {
  PipedriveConnection,
  pipedriveVendor,
} from '../../../../../lib/crm/vendors/pipedrive/pipedriveVendor';

describe('the Pipedrive settings branch', () => {
  it('takes a token and a blank address or a company’s pipedrive.com address, nothing else', () => {
    expect(PipedriveConnection.parse({ type: 'pipedrive', token: ' abc ' })).toEqual({
      type: 'pipedrive',
      baseUrl: '',
      token: 'abc',
    });
    expect(
      PipedriveConnection.safeParse({ type: 'pipedrive', baseUrl: 'https://acme.pipedrive.com' }).success,
    ).toBe(true);
    for (const wrong of [
      'http://acme.pipedrive.com',
      'https://pipedrive.com.evil.example',
      'https://evil.example',
    ])
      expect(PipedriveConnection.safeParse({ type: 'pipedrive', baseUrl: wrong }).success, wrong).toBe(false);
  });

  it('is complete with a token, and talks to exactly its API host', () => {
    const blank = PipedriveConnection.parse({ type: 'pipedrive', token: 't' });
    expect(pipedriveVendor.isComplete(blank)).toBe(true);
    expect(pipedriveVendor.isComplete({ ...blank, token: '' })).toBe(false);
    expect(pipedriveVendor.origins(blank)).toEqual(['https://api.pipedrive.com']);
    expect(pipedriveVendor.origins({ ...blank, baseUrl: 'https://acme.pipedrive.com/' })).toEqual([
      'https://acme.pipedrive.com',
    ]);
  });
});
