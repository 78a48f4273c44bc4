// The custom search attributes as the Temporal servers register them (`--search-attribute NAME=TYPE`
// for the dev server, DR_SEARCH_ATTRIBUTES for the cluster), derived from the keys the workflow code
// sets: src/workflows/search-attributes.ts is their one definition.
import type { SearchAttributeType } from '@temporalio/common';
import { SEARCH_ATTRIBUTE_KEYS } from '../../src/workflows/search-attributes.js';

/** The SDK spells the types KEYWORD / DATETIME, the CLI and the server's set-up Keyword / Datetime. */
const CLI_TYPE: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/** Name → type as the CLI spells it, in the order the workflow code lists them. */
export const SEARCH_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(SEARCH_ATTRIBUTE_KEYS.map((key) => [key.name, CLI_TYPE[key.type]])),
);

/** The `--search-attribute` arguments for `temporal server start-dev`. */
export function searchAttributeArgs(attributes: Readonly<Record<string, string>> = SEARCH_ATTRIBUTES): string[] {
  return Object.entries(attributes).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]);
}
