import { ApiErrors } from './api-errors.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** The page size of a List request: 0 = the default; negative or above the maximum is INVALID_ARGUMENT. */
export function pageSizeOf(pageSize: number): number {
  if (pageSize === 0) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 0 || pageSize > MAX_PAGE_SIZE)
    throw ApiErrors.invalidArgument(`page_size must be between 0 and ${MAX_PAGE_SIZE}`, [
      {
        field: 'page_size',
        description: `must be between 0 and ${MAX_PAGE_SIZE} (0 = ${DEFAULT_PAGE_SIZE})`,
      },
    ]);
  return pageSize;
}

/**
 * Page tokens are opaque to clients: base64url of the last key of the previous page (keyset pagination:
 * the next page starts after it, so rows inserted meanwhile neither repeat nor shift the pages).
 */
export function encodePageToken(lastKey: string | number): string {
  return Buffer.from(`k:${lastKey}`, 'utf8').toString('base64url');
}

/** Keys that are bigserial ids: 1 to 19 digits. */
export const ROW_ID_KEY = /^[0-9]{1,19}$/;
/** Keys that are int32 ids (e.g. charging profile ids). */
export const INT32_KEY = /^-?[0-9]{1,10}$/;

/**
 * The last key of the previous page; undefined for the first page (empty token). INVALID_ARGUMENT when
 * the token is not one this API issued, or its key does not match `key` (e.g. {@link ROW_ID_KEY}).
 */
export function decodePageToken(token: string, key?: RegExp): string | undefined {
  if (token === '') return undefined;
  const decoded = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '';
  if (!decoded.startsWith('k:') || (key && !key.test(decoded.slice(2))))
    throw ApiErrors.invalidArgument('page_token is not a token this API issued', [
      { field: 'page_token', description: 'pass the next_page_token of the previous response unchanged' },
    ]);
  return decoded.slice(2);
}
