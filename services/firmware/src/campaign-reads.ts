import {
  findCampaign,
  listCampaigns,
  listCampaignStations,
  statusCounts,
  type CampaignKind,
  type CampaignRow,
  type CampaignState,
  type CampaignStationStatus,
  type Database,
  type Kysely,
} from '@csms/db';
import { ApiErrors, decodePageToken, encodePageToken, firmwareV1, pageSizeOf, ROW_ID_KEY } from '@csms/grpc';
import { stationStatusOf, toCampaign, toCampaignStation } from './campaign-mapping.js';
import { isRowId } from './page.js';

/** A campaign with its per-status station counts, as the API shows it. */
export async function campaignWithCounts(
  db: Kysely<Database>,
  row: CampaignRow,
): Promise<firmwareV1.Campaign> {
  const counts = await statusCounts(db, [row.id]);
  return toCampaign(row, counts.get(row.id) ?? new Map());
}

/** The campaign `id` names (request field `field`): INVALID_ARGUMENT when empty, NOT_FOUND when unknown. */
export async function existingCampaign(db: Kysely<Database>, id: string, field = 'id'): Promise<CampaignRow> {
  if (id === '')
    throw ApiErrors.invalidArgument(`${field} is required`, [{ field, description: 'is required' }]);
  const row = isRowId(id) ? await findCampaign(db, id) : undefined;
  if (!row) throw ApiErrors.notFound('campaign', id);
  return row;
}

/** ListCampaigns: newest first, optionally of one kind or state. */
export async function listCampaignPage(
  db: Kysely<Database>,
  request: firmwareV1.ListCampaignsRequest,
): Promise<firmwareV1.ListCampaignsResponse> {
  const limit = pageSizeOf(request.pageSize);
  const before = decodePageToken(request.pageToken, ROW_ID_KEY);
  const kind = campaignKindOf(request.kind);
  const state = campaignStateOf(request.state);
  const rows = await listCampaigns(db, {
    ...(before !== undefined ? { before } : {}),
    limit: limit + 1,
    ...(kind ? { kind } : {}),
    ...(state ? { state } : {}),
  });
  const page = rows.slice(0, limit);
  const counts = await statusCounts(
    db,
    page.map((r) => r.id),
  );
  return {
    campaigns: page.map((r) => toCampaign(r, counts.get(r.id) ?? new Map())),
    nextPageToken: rows.length > limit ? encodePageToken(page.at(-1)!.id) : '',
  };
}

/** ListCampaignStations: the stations of one campaign, optionally in some statuses. */
export async function listCampaignStationPage(
  db: Kysely<Database>,
  request: firmwareV1.ListCampaignStationsRequest,
): Promise<firmwareV1.ListCampaignStationsResponse> {
  const limit = pageSizeOf(request.pageSize);
  const after = decodePageToken(request.pageToken, ROW_ID_KEY);
  const statuses: CampaignStationStatus[] = request.statuses.map((status, index) => {
    const s = stationStatusOf(status);
    if (!s)
      throw ApiErrors.invalidArgument(`statuses[${index}] is not a station status`, [
        { field: `statuses[${index}]`, description: 'must be a StationStatus other than UNSPECIFIED' },
      ]);
    return s;
  });
  const campaign = await existingCampaign(db, request.campaignId, 'campaign_id');
  const rows = await listCampaignStations(db, campaign.id, {
    ...(after !== undefined ? { after } : {}),
    limit: limit + 1,
    statuses,
  });
  const page = rows.slice(0, limit);
  return {
    stations: page.map(toCampaignStation),
    nextPageToken: rows.length > limit ? encodePageToken(page.at(-1)!.id) : '',
  };
}

function campaignKindOf(kind: firmwareV1.CampaignKind): CampaignKind | undefined {
  if (kind === firmwareV1.CampaignKind.CAMPAIGN_KIND_FIRMWARE_UPDATE) return 'firmware_update';
  if (kind === firmwareV1.CampaignKind.CAMPAIGN_KIND_LOG_UPLOAD) return 'log_upload';
  if (kind === firmwareV1.CampaignKind.CAMPAIGN_KIND_UNSPECIFIED) return undefined;
  throw ApiErrors.invalidArgument('kind is not a campaign kind', [
    { field: 'kind', description: 'unknown value' },
  ]);
}

function campaignStateOf(state: firmwareV1.CampaignState): CampaignState | undefined {
  if (state === firmwareV1.CampaignState.CAMPAIGN_STATE_RUNNING) return 'running';
  if (state === firmwareV1.CampaignState.CAMPAIGN_STATE_COMPLETED) return 'completed';
  if (state === firmwareV1.CampaignState.CAMPAIGN_STATE_CANCELED) return 'canceled';
  if (state === firmwareV1.CampaignState.CAMPAIGN_STATE_UNSPECIFIED) return undefined;
  throw ApiErrors.invalidArgument('state is not a campaign state', [
    { field: 'state', description: 'unknown value' },
  ]);
}
