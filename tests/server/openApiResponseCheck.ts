import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, expect } from 'vitest';
import { OPENAPI_PATH } from '../../server/writeOpenApiDocument';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

export interface ResponseMismatch {
  request: string;
  status: number;
  problem: string;
  body?: string;
}

const DOCUMENT_ID = 'https://crm-sidebar.invalid/openapi.json';

/**
 * Checks an answer of the reference server against server/openapi.json: the path and
 * method are documented (or the answer is the documented 404/405), the status is one the
 * operation lists, and the JSON body satisfies that status's schema (Ajv, JSON Schema
 * 2020-12, the dialect of OpenAPI 3.1).
 */
export function openApiResponseChecker(
  document: OpenApiDocument = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')),
) {
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  addFormats(ajv);
  ajv.addSchema({ ...document, $id: DOCUMENT_ID });
  const validators = new Map<string, ReturnType<typeof ajv.compile>>();
  const validatorFor = (pointer: string) => {
    let validate = validators.get(pointer);
    if (!validate) {
      validate = ajv.compile({ $ref: `${DOCUMENT_ID}#${pointer}` });
      validators.set(pointer, validate);
    }
    return validate;
  };
  const pointerSegment = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
  const templates = Object.keys(document.paths).map((template) => ({
    template,
    regex: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
  }));
  const errorPointer = '/components/schemas/Error';

  return function check(
    method: string,
    url: string,
    status: number,
    contentType: string | null,
    text: string,
  ): string | null {
    const path = new URL(url).pathname;
    if (!path.startsWith('/api/v1/') && !path.startsWith('/oauth/')) return null;
    if (path === '/api/v1/openapi.json' || method === 'OPTIONS') return null;
    const validateJson = (pointer: string): string | null => {
      if (method === 'HEAD') return null;
      if (!contentType?.includes('application/json'))
        return `answered ${contentType ?? 'no content type'}, not JSON`;
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return 'body is not JSON';
      }
      const validate = validatorFor(pointer);
      return validate(body) ? null : `body does not match ${pointer}: ${ajv.errorsText(validate.errors)}`;
    };
    const found = templates.find((t) => t.regex.test(path));
    // Node's HTTP parser answers these before any route runs (startCrmServer).
    if (status === 431 || (status === 400 && !found)) return validateJson(errorPointer);
    if (!found) return status === 404 ? validateJson(errorPointer) : `undocumented path answered ${status}`;
    const operation = document.paths[found.template]?.[method.toLowerCase()];
    if (!operation) {
      if ([405, 421, 429, 401, 413].includes(status)) return validateJson(errorPointer);
      return `${method} is not documented for ${found.template} but answered ${status}`;
    }
    const response = operation.responses[String(status)];
    if (!response) return `status ${status} is not documented for ${method} ${found.template}`;
    const media = response.content?.['application/json'];
    if (!media) return text === '' ? null : `${status} documents no body but one came`;
    return validateJson(
      `/paths/${pointerSegment(found.template)}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema`,
    );
  };
}

/**
 * Every answer this test file gets through `fetch` from a reference server, checked
 * against the OpenAPI document; the file fails on the first mismatch, listing it. Call at
 * the top of a test file.
 */
export function checkEveryResponseAgainstOpenApi(): { checked: () => number } {
  const check = openApiResponseChecker();
  const mismatches: ResponseMismatch[] = [];
  let checked = 0;
  const original = globalThis.fetch;
  beforeAll(() => {
    globalThis.fetch = async (input, init) => {
      const response = await original(input, init);
      const request = new Request(input, init);
      const url = request.url;
      const { hostname } = new URL(url);
      if (hostname !== '127.0.0.1' && hostname !== 'localhost') return response;
      const text = await response.clone().text();
      const problem = check(request.method, url, response.status, response.headers.get('content-type'), text);
      checked++;
      if (problem) {
        mismatches.push({
          request: `${request.method} ${new URL(url).pathname}`,
          status: response.status,
          problem,
          body: text.slice(0, 300),
        });
      }
      return response;
    };
  });
  afterAll(() => {
    globalThis.fetch = original;
    console.log(`OpenAPI: ${checked} answers checked, ${mismatches.length} mismatches`);
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
  return { checked: () => checked };
}
