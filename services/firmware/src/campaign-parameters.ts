/**
 * What a campaign sends, as validated and stored in `campaigns.parameters` (times as ISO 8601 strings,
 * so the stored JSON is what the commands are built from on any replica, also after a restart).
 */
export interface FirmwareParameters {
  readonly location: string;
  readonly retrieveTime: string;
  readonly installTime?: string;
  readonly retries?: number;
  readonly retryIntervalSeconds?: number;
  readonly signingCertificate?: string;
  readonly signature?: string;
}

export type LogKind = 'diagnostics' | 'security';

export interface LogParameters {
  readonly logType: LogKind;
  readonly remoteLocation: string;
  readonly oldestTime?: string;
  readonly latestTime?: string;
  readonly retries?: number;
  readonly retryIntervalSeconds?: number;
}

export type CampaignPlan =
  | { readonly kind: 'firmware_update'; readonly parameters: FirmwareParameters }
  | { readonly kind: 'log_upload'; readonly parameters: LogParameters };

/** The most stations one campaign may have. */
export const MAX_CAMPAIGN_STATIONS = 10_000;
export const DEFAULT_MAX_CONCURRENCY = 20;
export const MAX_MAX_CONCURRENCY = 1000;
