export type { RegistrationStatus, BootPolicy } from '@csms/db';
export type { SecurityProfile } from '@csms/bus';
