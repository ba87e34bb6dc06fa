import type { Migration } from 'kysely';
import * as createCoreTables from './2026_11_21_00_00_00_create_core_tables.js';
import * as createPartitionFences from './2026_11_21_01_00_00_create_partition_fences.js';
import * as createQueuedCommands from './2026_11_21_02_00_00_create_queued_commands.js';
import * as createLocalAuthLists from './2026_11_21_03_00_00_create_local_auth_lists.js';
import * as createFirmwareCampaigns from './2026_11_21_04_00_00_create_firmware_campaigns.js';
import * as createChargingProfiles from './2026_11_21_05_00_00_create_charging_profiles.js';
import * as addTransactionEndColumns from './2026_11_22_00_00_00_add_transaction_end_columns.js';
import * as createStationMessageLimits from './2026_12_05_10_00_00_create_station_message_limits.js';
import * as createStationCertificates from './2026_12_05_20_00_00_create_station_certificates.js';
import * as createReportedChargingProfiles from './2026_12_05_21_00_00_create_reported_charging_profiles.js';
import * as addStationFirmwareChangedAt from './2026_12_05_22_00_00_add_station_firmware_changed_at.js';
import * as createReservations from './2026_12_05_23_00_00_create_reservations.js';
import * as createDisplayMessages from './2026_12_05_23_30_00_create_display_messages.js';
import * as createVariableMonitors from './2026_12_06_00_00_00_create_variable_monitors.js';
import * as createTariffs from './2026_12_06_00_30_00_create_tariffs.js';
import * as createExternalChargingLimits from './2026_12_06_01_00_00_create_external_charging_limits.js';
import * as createEvCharging from './2026_12_06_02_30_00_create_ev_charging.js';
import * as createChargingSites from './2026_12_06_03_00_00_create_charging_sites.js';

/**
 * Every migration, by name. Listed statically (not read from a folder at run time) so that the same
 * list runs from src/ under tests and from dist/ in production, and bundles cleanly into the image.
 * Names sort in the order they must run. They are recorded in every database that ran them
 * (`csms_migration`): never rename, remove or change one. A new table or change is a new entry with a
 * later timestamp whose `up` calls a new function of the owning domain's `tables.ts`.
 */
export const migrations: Readonly<Record<string, Migration>> = Object.freeze({
  '2026_11_21_00_00_00_create_core_tables': createCoreTables,
  '2026_11_21_01_00_00_create_partition_fences': createPartitionFences,
  '2026_11_21_02_00_00_create_queued_commands': createQueuedCommands,
  '2026_11_21_03_00_00_create_local_auth_lists': createLocalAuthLists,
  '2026_11_21_04_00_00_create_firmware_campaigns': createFirmwareCampaigns,
  '2026_11_21_05_00_00_create_charging_profiles': createChargingProfiles,
  '2026_11_22_00_00_00_add_transaction_end_columns': addTransactionEndColumns,
  '2026_12_05_10_00_00_create_station_message_limits': createStationMessageLimits,
  '2026_12_05_20_00_00_create_station_certificates': createStationCertificates,
  '2026_12_05_21_00_00_create_reported_charging_profiles': createReportedChargingProfiles,
  '2026_12_05_22_00_00_add_station_firmware_changed_at': addStationFirmwareChangedAt,
  '2026_12_05_23_00_00_create_reservations': createReservations,
  '2026_12_05_23_30_00_create_display_messages': createDisplayMessages,
  '2026_12_06_00_00_00_create_variable_monitors': createVariableMonitors,
  '2026_12_06_00_30_00_create_tariffs': createTariffs,
  '2026_12_06_01_00_00_create_external_charging_limits': createExternalChargingLimits,
  '2026_12_06_02_30_00_create_ev_charging': createEvCharging,
  '2026_12_06_03_00_00_create_charging_sites': createChargingSites,
});
