import { describe, expect, it } from 'vitest';
import {
  buildBatchBody,
  GmailBatchFormatError,
  parseBatchResponse,
  parseHttpResponse,
} from '../../../../../lib/mail/gmail/api/gmailBatch';

const encode = (text: string) => new TextEncoder().encode(text);

describe('Gmail batch wire format', () => {
  it('builds one application/http part per call with its Content-ID and the path only', () => {
    const body = buildBatchBody(
      [
        { id: 'item0', path: '/gmail/v1/users/me/messages/a1?format=metadata' },
        { id: 'item1', path: '/gmail/v1/users/me/messages/b2?format=metadata' },
      ],
      'batch_x',
    );
    expect(body).toBe(
      '--batch_x\r\nContent-Type: application/http\r\nContent-ID: <item0>\r\n\r\n' +
        'GET /gmail/v1/users/me/messages/a1?format=metadata HTTP/1.1\r\n\r\n' +
        '--batch_x\r\nContent-Type: application/http\r\nContent-ID: <item1>\r\n\r\n' +
        'GET /gmail/v1/users/me/messages/b2?format=metadata HTTP/1.1\r\n\r\n' +
        '--batch_x--\r\n',
    );
  });

  it('refuses more than 50 calls, full URLs and Content-IDs that would break the header', () => {
    const many = Array.from({ length: 51 }, (_, i) => ({
      id: `i${i}`,
      path: `/gmail/v1/users/me/messages/${i}`,
    }));
    expect(() => buildBatchBody(many, 'b')).toThrow(RangeError);
    expect(() => buildBatchBody([{ id: 'a', path: 'https://gmail.googleapis.com/x' }], 'b')).toThrow(
      RangeError,
    );
    expect(() => buildBatchBody([{ id: 'a>\r\nX: y', path: '/x' }], 'b')).toThrow(RangeError);
    expect(() => buildBatchBody([], 'b')).toThrow(RangeError);
  });

  // The response shape of developers.google.com/gmail/api/guides/batch ("Example batch
  // response"): parts in any order, `Content-ID: <response-…>`, a whole HTTP response inside.
  const response =
    '--batch_foobarbaz\r\n' +
    'Content-Type: application/http\r\n' +
    'Content-ID: <response-item1>\r\n\r\n' +
    'HTTP/1.1 404 Not Found\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n' +
    '{"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND"}}\r\n' +
    '--batch_foobarbaz\r\n' +
    'Content-Type: application/http\r\n' +
    'Content-ID: <response-item0>\r\n\r\n' +
    'HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\nETag: "etag/pony"\r\n\r\n' +
    '{"id":"a1","threadId":"a1","internalDate":"1"}\r\n' +
    '--batch_foobarbaz--\r\n';

  it('pairs answers with calls by Content-ID, not by position', () => {
    const answers = parseBatchResponse(
      'multipart/mixed; boundary=batch_foobarbaz',
      encode(response),
      new Set(['item0', 'item1']),
    );
    expect(answers.get('item0')).toMatchObject({
      status: 200,
      body: '{"id":"a1","threadId":"a1","internalDate":"1"}',
    });
    expect(answers.get('item0')?.headers.get('etag')).toBe('"etag/pony"');
    expect(answers.get('item1')?.status).toBe(404);
  });

  it('refuses what it cannot pair: an unknown Content-ID, a duplicate, a non-multipart answer', () => {
    expect(() =>
      parseBatchResponse('multipart/mixed; boundary=batch_foobarbaz', encode(response), new Set(['item0'])),
    ).toThrow(GmailBatchFormatError);
    const twice = response.replace('response-item1', 'response-item0');
    expect(() =>
      parseBatchResponse(
        'multipart/mixed; boundary=batch_foobarbaz',
        encode(twice),
        new Set(['item0', 'item1']),
      ),
    ).toThrow(/twice/);
    expect(() => parseBatchResponse('application/json', encode('{}'), new Set())).toThrow(
      GmailBatchFormatError,
    );
    expect(() =>
      parseBatchResponse(
        'multipart/mixed; boundary=batch_foobarbaz',
        encode('--batch_foo'),
        new Set(['item0']),
      ),
    ).toThrow(GmailBatchFormatError);
  });

  it('reads an embedded response with LF or CRLF line ends and a quoted boundary', () => {
    expect(parseHttpResponse('HTTP/1.1 429 Too Many Requests\nRetry-After: 2\n\n{"a":1}\n')).toMatchObject({
      status: 429,
      body: '{"a":1}',
    });
    const quoted = parseBatchResponse(
      'multipart/mixed; boundary="batch_foobarbaz"',
      encode(response),
      new Set(['item0', 'item1']),
    );
    expect(quoted.size).toBe(2);
    expect(() => parseHttpResponse('garbage')).toThrow(GmailBatchFormatError);
  });
});
