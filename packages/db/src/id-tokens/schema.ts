import type { Selectable } from 'kysely';
import type { CreatedAt, Timestamp, UpdatedAt } from '../column-types.js';

export type IdTokenStatus = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid';

export interface IdTokensTable {
  /** The token value (1.6 idTag, 2.0.1 idToken.idToken). */
  id_token: string;
  /** 2.0.1 IdTokenEnumType; null matches any type. */
  type: string | null;
  status: IdTokenStatus;
  expires_at: Timestamp | null;
  /** 1.6 parentIdTag / 2.0.1 groupIdToken. */
  group_id: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** The local authorization list version a station accepted last (no row = version 0, no list). */
export interface LocalAuthListsTable {
  station_id: string;
  version: number;
  updated_at: UpdatedAt;
}

/** 1.6 idTagInfo.status / 2.0.1 idTokenInfo.status values a local list entry may carry. */
export type LocalAuthListEntryStatus = IdTokenStatus | 'ConcurrentTx';

/** One entry of a station's accepted local authorization list. */
export interface LocalAuthListEntriesTable {
  station_id: string;
  id_token: string;
  /** 2.0.1 IdTokenEnumType; null for lists of 1.6 stations. */
  type: string | null;
  status: LocalAuthListEntryStatus;
  expires_at: Timestamp | null;
  /** 1.6 parentIdTag / 2.0.1 groupIdToken. */
  group_id: string | null;
}

export interface IdTokenTables {
  id_tokens: IdTokensTable;
  local_auth_lists: LocalAuthListsTable;
  local_auth_list_entries: LocalAuthListEntriesTable;
}

export type IdTokenRow = Selectable<IdTokensTable>;
export type LocalAuthListEntryRow = Selectable<LocalAuthListEntriesTable>;
