import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { parseIntOption } from '../parse.js';

/** The common paging flags of list commands. */
export interface PageOptions {
  readonly pageSize: number;
  readonly pageToken?: string;
  readonly all?: boolean;
}

/** Adds --page-size, --page-token and --all (after the command's own options, as help lists them). */
export function withPageOptions(command: Command, noun = 'items'): Command {
  return command
    .option('--page-size <n>', `${noun} per page (1-1000)`, parseIntOption('--page-size', 1, 1000), 100)
    .option('--page-token <token>', 'continue after a previous page')
    .option('--all', 'follow every page');
}

/** Follows `next_page_token`s while `all`; returns the items and the last token. */
export async function pages<T>(
  all: boolean | undefined,
  firstToken: string | undefined,
  fetch: (pageToken: string) => Promise<{ items: T[]; nextPageToken: string }>,
): Promise<{ items: T[]; nextPageToken: string }> {
  const items: T[] = [];
  let token = firstToken ?? '';
  for (;;) {
    const page = await fetch(token);
    items.push(...page.items);
    token = page.nextPageToken;
    if (!all || token === '') return { items, nextPageToken: token };
  }
}

/** Prints a list as a table (or JSON), then, in human mode, how to get the next page. */
export function printPage(
  c: CliContext,
  json: unknown,
  head: readonly string[],
  rows: readonly (readonly unknown[])[],
  nextPageToken: string,
): void {
  c.out.table(json, head, rows);
  if (!c.options.json && nextPageToken) c.io.stderr.write(`more: --page-token ${nextPageToken}\n`);
}
