import type { BootPolicy as DbBootPolicy, StationRow } from '@csms/db';
import { stationV1 } from '@csms/grpc';

const { BootPolicy } = stationV1;

export function toBootPolicy(policy: DbBootPolicy | null): stationV1.BootPolicy {
  switch (policy) {
    case 'Accepted':
      return BootPolicy.BOOT_POLICY_ACCEPTED;
    case 'Pending':
      return BootPolicy.BOOT_POLICY_PENDING;
    case 'Rejected':
      return BootPolicy.BOOT_POLICY_REJECTED;
    case null:
      return BootPolicy.BOOT_POLICY_UNSPECIFIED;
  }
}

/** undefined for a value outside the enum (a newer client's value, or garbage on the wire). */
export function fromBootPolicy(policy: stationV1.BootPolicy): DbBootPolicy | null | undefined {
  switch (policy) {
    case BootPolicy.BOOT_POLICY_UNSPECIFIED:
      return null;
    case BootPolicy.BOOT_POLICY_ACCEPTED:
      return 'Accepted';
    case BootPolicy.BOOT_POLICY_PENDING:
      return 'Pending';
    case BootPolicy.BOOT_POLICY_REJECTED:
      return 'Rejected';
    case BootPolicy.UNRECOGNIZED:
    default:
      return undefined;
  }
}

export function toStation(row: StationRow): stationV1.Station {
  return {
    id: row.id,
    securityProfile: row.security_profile,
    bootPolicy: toBootPolicy(row.boot_policy),
    hasPassword: row.password_hash !== null,
    autoRegistered: row.auto_registered,
    ocppVersion: row.ocpp_version ?? '',
    vendor: row.vendor ?? '',
    model: row.model ?? '',
    serialNumber: row.serial_number ?? '',
    firmwareVersion: row.firmware_version ?? '',
    registrationStatus: row.registration_status ?? '',
    lastBootTime: row.last_boot_at ?? undefined,
    lastHeartbeatTime: row.last_heartbeat_at ?? undefined,
    createTime: row.created_at,
    updateTime: row.updated_at,
  };
}
