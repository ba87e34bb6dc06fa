import type { CampaignTables } from './campaigns/schema.js';
import type { ChargingProfileTables } from './charging-profiles/schema.js';
import type { DisplayMessageTables } from './display-messages/schema.js';
import type { FenceTables } from './fences/schema.js';
import type { IdTokenTables } from './id-tokens/schema.js';
import type { MonitoringTables } from './monitoring/schema.js';
import type { QueuedCommandTables } from './queued-commands/schema.js';
import type { ReservationTables } from './reservations/schema.js';
import type { StationCertificateTables } from './station-certificates/schema.js';
import type { StationReportTables } from './station-reports/schema.js';
import type { StationTables } from './stations/schema.js';
import type { TariffTables } from './tariffs/schema.js';
import type { TransactionTables } from './transactions/schema.js';

/**
 * The CSMS database schema as Kysely types: the tables of every domain (one folder each, which alone
 * runs SQL on its tables). Migrations (in `migrations/`, calling the domains' `tables.ts`) are the
 * authority; keep the domains' types in step with them.
 */
export interface Database
  extends
    StationTables,
    StationReportTables,
    StationCertificateTables,
    IdTokenTables,
    TransactionTables,
    ChargingProfileTables,
    DisplayMessageTables,
    MonitoringTables,
    CampaignTables,
    QueuedCommandTables,
    ReservationTables,
    TariffTables,
    FenceTables {}

export type * from './campaigns/schema.js';
export type * from './charging-profiles/schema.js';
export type * from './display-messages/schema.js';
export type * from './fences/schema.js';
export type * from './id-tokens/schema.js';
export type * from './monitoring/schema.js';
export type * from './queued-commands/schema.js';
export type * from './reservations/schema.js';
export type * from './station-certificates/schema.js';
export type * from './station-reports/schema.js';
export type * from './stations/schema.js';
export type * from './tariffs/schema.js';
export type * from './transactions/schema.js';
