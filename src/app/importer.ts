import type { Config } from '../config.js';
import type { AddressPolicy } from '../ingest/address-guard.js';
import { createImporter, type Importer, type ImporterOptions } from '../ingest/importer.js';

/** The importer's address policy from the configuration (INGEST_ALLOW_PRIVATE, INGEST_ALLOWED_PORTS). */
function importerAddressPolicy(config: Config): AddressPolicy {
  return { allowPrivate: config.INGEST_ALLOW_PRIVATE, allowedPorts: config.INGEST_ALLOWED_PORTS };
}

/** An importer into `options.store` that fetches under the configuration's address policy (the service and `cli import`). */
export function createBotImporter(config: Config, options: Omit<ImporterOptions, 'fetch'>): Importer {
  return createImporter({ ...options, fetch: { addressPolicy: importerAddressPolicy(config) } });
}
