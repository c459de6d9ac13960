import type { CrmVendorBackend } from '../CrmVendorBackend';
import { createPipedriveCrmConnector } from './PipedriveCrmConnector';
import { pipedriveConformance } from './pipedriveConformance';
import type { PipedriveConnection } from './pipedriveVendor';

export const pipedriveBackend: CrmVendorBackend<PipedriveConnection> = {
  createConnector: (crm, deps) =>
    createPipedriveCrmConnector({ apiBase: crm.baseUrl, apiToken: crm.token, fetch: deps.fetch }),
  conformance: pipedriveConformance,
};
